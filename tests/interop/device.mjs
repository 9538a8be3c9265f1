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
//   NETWORK SCAN|ADDED|CONNECTED|REFUSED <status> ...
//                                     the Network Commissioning commands as they come (with
//                                     --network), the SSID or extended PAN id in hex, never a
//                                     password or a key
//   LABEL <text>                      Basic Information NodeLabel changed (JSON string)
//   IDENTIFY <seconds>                the light started identifying for that long
//   CLOSED <n>                        after SIGUSR1: the node ended its n secure sessions
//                                     gracefully, telling each peer (CloseSession), as a
//                                     device short of room or winding down would
//   STOPPED                           after SIGTERM or SIGINT, just before a clean exit

import { config } from "@matter/nodejs/config";
import { mkdirSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { createInterface } from "node:readline";
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
  --network wifi|thread  add a Network Commissioning cluster of that kind on the root
                         endpoint whose scan, add and connect this script implements: the
                         one network "in range" is the one below
  --network-ssid S       wifi: the SSID in range (default "ThresholdTestNet")
  --network-password-file F
                         wifi: a file holding the password that network accepts (first line)
  --network-xpan HEX     thread: the extended PAN id in range (16 hex digits)
  --network-scan-fails   ScanNetworks answers UnknownError (a radio that cannot scan; matter.js
                         turns it into the IM status FAILURE)
  --no-concurrent        SupportsConcurrentConnection false
  --ble-socket PATH      also commissionable over Bluetooth LE through a bridge listening at
                         PATH (tests/interop/test_ble.py): matter.js's own BTP runs here on
                         the GATT bytes the bridge carries, one hex line each way:
                         "C1 <hex>" a write, "SUB" the subscription, "DISCONNECT" in;
                         "C2 <hex>" an indication, "ADV <hex>" the advertisement out
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
        network: { type: "string" },
        "network-ssid": { type: "string", default: "ThresholdTestNet" },
        "network-password-file": { type: "string" },
        "network-xpan": { type: "string", default: "0011223344556677" },
        "network-scan-fails": { type: "boolean", default: false },
        "no-concurrent": { type: "boolean", default: false },
        "ble-socket": { type: "string" },
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
  if (v.network !== undefined && v.network !== "wifi" && v.network !== "thread")
    fail("--network must be wifi or thread");
  if (v.network === "wifi" && v["network-password-file"] === undefined)
    fail("--network wifi needs --network-password-file");
  if (!/^[0-9a-f]{16}$/i.test(v["network-xpan"]))
    fail("--network-xpan must be 16 hex digits");
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
    network: v.network,
    networkSsid: v["network-ssid"],
    networkPasswordFile: v["network-password-file"],
    networkXpan: v["network-xpan"],
    scanFails: v["network-scan-fails"],
    concurrent: !v["no-concurrent"],
    bleSocket: v["ble-socket"],
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

const { ChannelType, Environment, Logger, ServerNode, VendorId } = await import("@matter/main");
const { Ble, BleChannel, BtpSessionHandler, SessionManager } = await import("@matter/main/protocol");
const { OnOffLightDevice } = await import("@matter/main/devices/on-off-light");
const { NetworkCommissioningBehavior } =
  await import("@matter/main/behaviors/network-commissioning");
const { GeneralCommissioningServer } = await import("@matter/main/behaviors/general-commissioning");
const { NetworkCommissioning } = await import("@matter/main/clusters/network-commissioning");

// Plain text even on a terminal: the harness keeps these logs in files.
Logger.format = "plain";
Logger.destinations.default.write = (text) => process.stderr.write(text + "\n");

const vars = Environment.default.vars;
vars.set("storage.path", options.storage);
if (options.networkInterface !== undefined)
  vars.set("mdns.networkInterface", options.networkInterface);

// A radio this script plays: one network is in range, the one named by the options. The
// device checks what it is given against it and answers with the NetworkingStatus a real one
// would, so that the commissioner's handling of each answer meets independent code.
const Status = NetworkCommissioning.NetworkCommissioningStatus;
const hex = (bytes) => Buffer.from(bytes).toString("hex");
const expectedPassword = options.networkPasswordFile === undefined ? undefined
  : readFileSync(options.networkPasswordFile, "utf8").split("\n")[0];

// Thread MeshCoP: the Extended PAN ID TLV (type 2) of a dataset, or undefined.
function datasetXpan (dataset) {
  for (let i = 0; i + 2 <= dataset.length; i += 2 + dataset[i + 1]) {
    if (dataset[i] === 2 && dataset[i + 1] === 8 && i + 10 <= dataset.length)
      return hex(dataset.subarray(i + 2, i + 10));
  }
  return undefined;
}

function networkBehavior (kind) {
  const feature = kind === "wifi" ? NetworkCommissioning.Feature.WiFiNetworkInterface
                                  : NetworkCommissioning.Feature.ThreadNetworkInterface;
  const inRangeId = kind === "wifi" ? Buffer.from(options.networkSsid, "utf8").toString("hex")
                                    : options.networkXpan.toLowerCase();
  // what each added network was given: its id in hex -> the password or dataset
  const added = new Map();

  return class extends NetworkCommissioningBehavior.with(feature) {
    scanNetworks () {
      emit("NETWORK SCAN");
      if (options.scanFails)
        return { networkingStatus: Status.UnknownError, debugText: "radio busy" };
      if (kind === "wifi")
        return {
          networkingStatus: Status.Success,
          wiFiScanResults: [{
            security: { wpa2Personal: true },
            ssid: Buffer.from(options.networkSsid, "utf8"),
            bssid: Buffer.from("02000000beef", "hex"),
            channel: 6,
            wiFiBand: NetworkCommissioning.WiFiBand["2G4"],
            rssi: -42,
          }],
        };
      return {
        networkingStatus: Status.Success,
        threadScanResults: [{
          panId: 0x1234,
          extendedPanId: BigInt("0x" + options.networkXpan),
          networkName: "ThresholdThread",
          channel: 15,
          version: 4,
          extendedAddress: Buffer.from("0200000000000001", "hex"),
          rssi: -50,
          lqi: 200,
        }],
      };
    }

    #add (id, secret) {
      added.set(id, secret);
      this.state.networks = [...added.keys()].map((key) => ({
        networkId: Buffer.from(key, "hex"), connected: false,
      }));
      emit(`NETWORK ADDED ${id}`);
      return { networkingStatus: Status.Success, networkIndex: [...added.keys()].indexOf(id) };
    }

    addOrUpdateWiFiNetwork ({ ssid, credentials }) {
      return this.#add(hex(ssid), Buffer.from(credentials).toString("utf8"));
    }

    addOrUpdateThreadNetwork ({ operationalDataset }) {
      const id = datasetXpan(operationalDataset);
      if (id === undefined) {
        emit("NETWORK REFUSED OutOfRange");
        return { networkingStatus: Status.OutOfRange, debugText: "no extended PAN id" };
      }
      return this.#add(id, hex(operationalDataset));
    }

    removeNetwork ({ networkId }) {
      added.delete(hex(networkId));
      return { networkingStatus: Status.Success };
    }

    reorderNetwork () {
      return { networkingStatus: Status.Success };
    }

    connectNetwork ({ networkId }) {
      const id = hex(networkId);
      let status = Status.Success;
      let debugText;
      if (!added.has(id)) {
        status = Status.NetworkIdNotFound;
      } else if (id !== inRangeId) {
        status = Status.NetworkNotFound;
        debugText = "no such network in range";
      } else if (kind === "wifi" && added.get(id) !== expectedPassword) {
        status = Status.AuthFailure;
        debugText = "4-way handshake failed";
      }
      this.state.lastNetworkingStatus = status;
      this.state.lastNetworkId = networkId;
      if (status !== Status.Success) {
        emit(`NETWORK REFUSED ${Status[status]} ${id}`);
        return { networkingStatus: status, debugText, errorValue: null };
      }
      this.state.networks = this.state.networks.map((network) => ({
        ...network, connected: hex(network.networkId) === id,
      }));
      emit(`NETWORK CONNECTED ${id}`);
      // A device that cannot keep both links leaves Bluetooth for its network at once,
      // without answering on it.
      if (!options.concurrent && bridgeBle !== undefined)
        bridgeBle.peripheral.drop();
      return { networkingStatus: Status.Success, errorValue: null };
    }
  };
}

function networkState (kind) {
  const common = {
    maxNetworks: 2,
    networks: [],
    scanMaxTimeSeconds: 10,
    connectMaxTimeSeconds: 20,
    interfaceEnabled: true,
    lastNetworkingStatus: null,
    lastNetworkId: null,
    lastConnectErrorValue: null,
  };
  if (kind === "wifi")
    return { ...common, supportedWiFiBands: [NetworkCommissioning.WiFiBand["2G4"]] };
  return { ...common, supportedThreadFeatures: { isFullThreadDevice: true }, threadVersion: 4 };
}

// Bluetooth LE without a radio: the GATT bytes come and go over the bridge's socket, and
// matter.js's BtpSessionHandler does the BTP, as it would behind a real peripheral.
class BridgeChannel extends BleChannel {
  name = "ble-bridge";
  constructor (peripheral) {
    super();
    this.peripheral = peripheral;
  }
  send (data) {
    return this.peripheral.btp.sendMatterMessage(data);
  }
  async close () {
    await this.peripheral.btp?.close();
  }
  onClose (listener) {
    return this.closed.on(listener) ?? { close: async () => {} };
  }
  async *[Symbol.asyncIterator] () {}
}

class BridgePeripheral {
  listeners = new Set();
  btp = undefined;
  handshake = undefined;
  subscribed = false;
  channel = undefined;

  constructor (path) {
    this.socket = createConnection(path);
    this.socket.on("error", (e) => process.stderr.write(`device.mjs: BLE bridge: ${e}\n`));
    createInterface({ input: this.socket }).on("line", (line) => {
      this.#received(line).catch(
        (e) => process.stderr.write(`device.mjs: BTP: ${e?.stack ?? e}\n`));
    });
  }

  #send (line) {
    this.socket.write(line + "\n");
  }

  async #received (line) {
    const [what, hexData] = line.split(" ");
    const data = hexData === undefined ? undefined : new Uint8Array(Buffer.from(hexData, "hex"));
    if (what === "C1" && this.btp === undefined) {
      this.handshake = data;
      await this.#start();
    } else if (what === "C1") {
      await this.btp.handleIncomingBleData(data);
    } else if (what === "SUB") {
      this.subscribed = true;
      await this.#start();
    } else if (what === "DISCONNECT") {
      await this.btp?.close();
      this.#disconnected();
    }
  }

  // The handshake response goes out as the first indication: once the request came and the
  // central subscribed, which the bridge may tell in either order.
  async #start () {
    if (this.handshake === undefined || !this.subscribed || this.btp !== undefined)
      return;
    this.channel = new BridgeChannel(this);
    this.btp = await BtpSessionHandler.createFromHandshakeRequest(
      182, this.handshake,
      async (packet) => this.#send(`C2 ${Buffer.from(packet).toString("hex")}`),
      async () => this.#disconnected(),
      async (message) => {
        for (const listener of this.listeners)
          listener(this.channel, message);
      });
    emit("BLE CONNECTED");
  }


  drop () {
    const btp = this.btp;
    this.#disconnected();
    btp?.close().catch(() => {});
  }

  #disconnected () {
    if (this.btp === undefined)
      return;
    this.btp = undefined;
    this.handshake = undefined;
    this.subscribed = false;
    this.channel?.emitClosed();
    this.#send("DISCONNECT");
    emit("BLE DISCONNECTED");
  }

  onData (listener) {
    this.listeners.add(listener);
    return { close: async () => { this.listeners.delete(listener); } };
  }

  async close () {
    this.socket.end();
  }

  supports (type) {
    return type === ChannelType.BLE;
  }

  async openChannel () {
    throw new Error("a peripheral opens no channels");
  }

  async advertise (data) {
    this.#send(`ADV ${Buffer.from(data).toString("hex")}`);
  }

  async stopAdvertising () {
    this.#send("ADV-STOP");
  }
}

class BridgeBle extends Ble {
  constructor (path) {
    super();
    this.peripheral = new BridgePeripheral(path);
  }
  get peripheralInterface () {
    return this.peripheral;
  }
  get centralInterface () {
    throw new Error("this device is a peripheral only");
  }
  get scanner () {
    throw new Error("this device is a peripheral only");
  }
}

const bridgeBle = options.bleSocket === undefined ? undefined
  : new BridgeBle(options.bleSocket);
if (bridgeBle !== undefined)
  Environment.default.set(Ble, bridgeBle);

let root = ServerNode.RootEndpoint;
const rootState = {};
if (options.network !== undefined) {
  root = root.with(networkBehavior(options.network));
  rootState.networkCommissioning = networkState(options.network);
}
if (!options.concurrent) {
  root = root.with(GeneralCommissioningServer);
  rootState.generalCommissioning = { supportsConcurrentConnection: false };
}

const server = await ServerNode.create(root, {
  ...rootState,
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
process.on("SIGUSR1", async () => {
  try {
    const sessions = [...server.env.get(SessionManager).sessions];
    await Promise.all(sessions.map((session) => session.initiateClose()));
    emit(`CLOSED ${sessions.length}`);
  } catch (e) {
    process.stderr.write(`device.mjs: closing the sessions failed: ${e?.stack ?? e}\n`);
  }
});
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
