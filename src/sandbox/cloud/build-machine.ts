import type { Prng } from "./create-prng.js";
import { OS_IMAGES, type OsImageKey } from "./os-images.js";
import type {
  AgentStatus,
  AssetValue,
  DetectResult,
  ProtectStatus,
  SimDisk,
  SimHost,
  SimImage,
  SimInstanceAction,
  SimPort,
  SimSecurityGroup,
  SimServer,
  SimTag,
} from "./world-types.js";

/** A port to open on a machine; `pid` is drawn when omitted, status defaults to `unknow`. */
export interface PortSpec {
  port: number;
  type?: "TCP" | "UDP";
  laddr?: string;
  path: string;
  status?: SimPort["status"];
  pid?: number;
}

/** HSS facts that may be pinned for a machine; anything left out is drawn from the PRNG. */
export interface HostFacts {
  agentStatus: AgentStatus;
  protectStatus: ProtectStatus;
  version: string;
  detectResult: DetectResult;
  vulnerability: number;
  baseline: number;
  intrusion: number;
  assetValue: AssetValue;
}

/** Everything that defines one machine of the fleet. */
export interface MachineSpec {
  id?: string;
  name: string;
  /** Drives default ports and disks: web, api, db, cache, worker, batch, mq, es, k8s-node, bastion, misc. */
  role: string;
  flavorId: string;
  status: "ACTIVE" | "SHUTOFF" | "ERROR";
  availabilityZone: string;
  tags: SimTag[];
  image: OsImageKey | SimImage;
  eip: boolean;
  dataDisksGb: number[];
  created: number;
  extraPorts?: PortSpec[];
  /** Replaces the role's default ports entirely when given. */
  ports?: PortSpec[];
  hss?: Partial<HostFacts>;
}

/** Shared network layout and address counters (kept in the world so added servers get fresh IPs). */
export interface NetworkPlan {
  vpcId: string;
  /** Subnet (network) ID per availability zone. */
  networkIds: Record<string, string>;
  /** A second subnet for extra NICs (storage/replication traffic). */
  secondaryNetworkId: string;
  /** The project's security groups; every server is in `sg-default`, some roles in one more. */
  securityGroups: SimSecurityGroup[];
  nextPrivate: number;
  nextPublic: number;
  nextSecondary: number;
}

/** Security group (by name) a role adds to `sg-default`. */
const ROLE_SECURITY_GROUPS: Record<string, string> = {
  web: "sg-web",
  api: "sg-web",
  db: "sg-db",
  cache: "sg-db",
  bastion: "sg-bastion",
};

/** The security groups a server of this role belongs to (default first). */
export function securityGroupsFor(role: string, plan: NetworkPlan): { id: string; name: string }[] {
  const names = ["sg-default", ROLE_SECURITY_GROUPS[role]];
  return plan.securityGroups.filter((g) => names.includes(g.name)).map((g) => ({ id: g.id, name: g.name }));
}

export interface Machine {
  server: SimServer;
  host: SimHost;
  ports: SimPort[];
}

const DAY = 86_400_000;

/** Builds the ECS server, HSS host and open ports of one machine. */
export function buildMachine(prng: Prng, spec: MachineSpec, plan: NetworkPlan): Machine {
  const image: SimImage = typeof spec.image === "string" ? OS_IMAGES[spec.image] : spec.image;
  const id = spec.id ?? prng.uuid();
  const stable = stableState(spec.status);
  const systemDisk: SimDisk = {
    id: prng.uuid(),
    device: "/dev/vda",
    sizeGb: image.osType === "Windows" ? 60 : 40,
    bootIndex: 0,
    bus: "virtio",
    pciAddress: "0000:02:01.0",
    deleteOnTermination: true,
  };
  const dataDisks = spec.dataDisksGb.map(
    (sizeGb, i): SimDisk => ({
      id: prng.uuid(),
      device: `/dev/vd${String.fromCharCode(98 + i)}`,
      sizeGb,
      bootIndex: i + 1,
      bus: "virtio",
      pciAddress: `0000:02:0${i + 2}.0`,
      deleteOnTermination: false,
    }),
  );
  const networkId =
    plan.networkIds[spec.availabilityZone] ?? Object.values(plan.networkIds)[0] ?? prng.uuid();
  const server: SimServer = {
    id,
    name: spec.name,
    status: stable.status,
    vmState: stable.vmState,
    taskState: null,
    powerState: stable.powerState,
    flavorId: spec.flavorId,
    image,
    availabilityZone: spec.availabilityZone,
    networkId,
    vpcId: plan.vpcId,
    privateIp: privateIpFor(plan.nextPrivate++),
    publicIp: spec.eip ? publicIpFor(plan.nextPublic++) : null,
    eipDeleteOnTermination: prng.chance(0.5),
    mac: `fa:16:3e:${prng.hex(2)}:${prng.hex(2)}:${prng.hex(2)}`,
    portId: prng.uuid(),
    tags: spec.tags.map((t) => ({ ...t })),
    disks: [systemDisk, ...dataDisks],
    created: spec.created,
    updated: spec.created + prng.int(60_000, 30 * DAY),
    launchedAt: spec.created + prng.int(20_000, 90_000),
    keyName: image.osType === "Windows" ? "" : "KeyPair-ops",
    securityGroups: securityGroupsFor(spec.role, plan),
    extraNics: [],
    locked: false,
    dedicatedHostId: null,
    actions: [],
    consoleLines: [],
    hostId: prng.hex(56),
    hypervisorHostname: prng.hex(32),
    instanceName: `instance-${prng.hex(8)}`,
    description: "",
    busyJobId: null,
  };
  const host = buildHost(prng, server, spec);
  const portSpecs = spec.ports ?? [...defaultPorts(spec.role, image.osType), ...(spec.extraPorts ?? [])];
  const ports = portSpecs.map((p) => toPort(prng, id, p));
  // Drawn last, so the facts above stay what they were before the history existed.
  server.actions = initialActions(prng, server);
  return { server, host, ports };
}

/** `req-<uuid>`, the request ID format of Nova instance actions. */
export function novaRequestId(prng: Prng): string {
  return `req-${prng.uuid()}`;
}

/** The history a machine brings into the world: its creation and what left it in its status. */
function initialActions(prng: Prng, server: SimServer): SimInstanceAction[] {
  const actions: SimInstanceAction[] = [
    { action: "create", requestId: novaRequestId(prng), startTime: server.created, message: null },
  ];
  if (server.status === "SHUTOFF")
    actions.push({
      action: "stop",
      requestId: novaRequestId(prng),
      startTime: server.updated,
      message: null,
    });
  if (server.status === "ERROR")
    actions.push({
      action: "reboot",
      requestId: novaRequestId(prng),
      startTime: server.updated,
      message: "Error",
    });
  return actions;
}

/** `vm_state`/`power_state` for a stable status (doc, Table A-4). */
export function stableState(
  status: SimServer["status"],
): Pick<SimServer, "status" | "vmState" | "powerState"> {
  switch (status) {
    case "SHUTOFF":
      return { status, vmState: "stopped", powerState: 3 };
    case "ERROR":
      return { status, vmState: "error", powerState: 0 };
    case "BUILD":
      return { status, vmState: "building", powerState: 0 };
    case "VERIFY_RESIZE":
      return { status, vmState: "resized", powerState: 3 };
    default:
      return { status, vmState: "active", powerState: 1 };
  }
}

export function toPort(prng: Prng, hostId: string, p: PortSpec): SimPort {
  return {
    hostId,
    laddr: p.laddr ?? "0.0.0.0",
    port: p.port,
    type: p.type ?? "TCP",
    status: p.status ?? "unknow",
    pid: p.pid ?? prng.int(300, 65_535),
    path: p.path,
    containerId: "",
  };
}

function privateIpFor(n: number): string {
  const o3 = Math.floor(n / 240);
  const o4 = 10 + (n % 240);
  return o3 < 256 ? `192.168.${o3}.${o4}` : `10.${Math.floor(o3 / 256) % 256}.${o3 % 256}.${o4}`;
}

function publicIpFor(n: number): string {
  const block = Math.floor(n / 240);
  const prefix = block < 256 ? "121.36" : "124.70";
  return `${prefix}.${block % 256}.${10 + (n % 240)}`;
}

function buildHost(prng: Prng, server: SimServer, spec: MachineSpec): SimHost {
  const pinned = spec.hss ?? {};
  const agentStatus: AgentStatus =
    pinned.agentStatus ??
    prng.weighted<AgentStatus>([
      ["online", 86],
      ["offline", 4],
      ["not_installed", 6],
      ["install_failed", 3],
      ["installing", 1],
    ]);
  const installed = agentStatus === "online" || agentStatus === "offline";
  const protectStatus: ProtectStatus =
    pinned.protectStatus ??
    (installed
      ? prng.weighted<ProtectStatus>([
          ["opened", 90],
          ["closed", 9],
          ["protection_exception", 1],
        ])
      : "closed");
  const version =
    pinned.version ??
    (protectStatus === "closed"
      ? "hss.version.null"
      : prng.weighted([
          ["hss.version.enterprise", 50],
          ["hss.version.premium", 20],
          ["hss.version.basic", 15],
          ["hss.version.advanced", 10],
          ["hss.version.wtp", 5],
        ]));
  const vulnerability = pinned.vulnerability ?? (installed ? skewed(prng, 40) : 0);
  const baseline = pinned.baseline ?? (installed ? skewed(prng, 12) : 0);
  const intrusion = pinned.intrusion ?? (installed && prng.chance(0.06) ? prng.int(1, 3) : 0);
  const detectResult: DetectResult =
    pinned.detectResult ??
    (!installed
      ? "undetected"
      : prng.chance(0.02)
        ? "scanning"
        : vulnerability + baseline + intrusion > 0
          ? "risk"
          : "clean");
  const env = server.tags.find((t) => t.key === "env")?.value;
  const assetValue: AssetValue =
    pinned.assetValue ?? (env === "prod" ? "important" : env === "dev" ? "test" : "common");
  const agentCreateTime = installed ? server.launchedAt + prng.int(60_000, 3 * DAY) : 0;
  return {
    hostId: server.id,
    agentId: installed || agentStatus === "installing" ? prng.hex(64) : "",
    agentStatus,
    protectStatus,
    version,
    detectResult,
    vulnerability,
    baseline,
    intrusion,
    asset: installed ? prng.int(0, 3) : 0,
    assetValue,
    osType: server.image.osType,
    osName: server.image.osName,
    osVersion: server.image.osVersion,
    kernelVersion: server.image.kernelVersion,
    osImage: server.image.name,
    chargingMode: prng.chance(0.7) ? "packet_cycle" : "on_demand",
    resourceId: protectStatus === "closed" ? "" : prng.uuid(),
    groupId: "",
    groupName: "",
    policyGroupId: "",
    policyGroupName: protectStatus === "closed" ? "" : `${version.replace("hss.version.", "")}_default`,
    labels: env ? [env] : [],
    agentVersion: installed ? "3.2.14" : "",
    agentCreateTime,
    agentUpdateTime: installed ? agentCreateTime + prng.int(0, 10 * DAY) : 0,
    openTime: protectStatus === "closed" ? 0 : agentCreateTime + prng.int(1_000, 600_000),
    upgradable: installed && prng.chance(0.2),
    protectInterrupt: protectStatus === "protection_exception",
    protectDegradation: false,
  };
}

/** Mostly small counts, occasionally large: risk counts in real fleets are long-tailed. */
function skewed(prng: Prng, max: number): number {
  const r = prng.next();
  return Math.floor(r * r * r * (max + 1));
}

const SSH: PortSpec = { port: 22, path: "/usr/sbin/sshd" };
const DHCP: PortSpec = { port: 68, type: "UDP", path: "/usr/sbin/dhclient" };
const CHRONY: PortSpec = { port: 323, type: "UDP", laddr: "127.0.0.1", path: "/usr/sbin/chronyd" };

/** Typical listening sockets per role. */
export function defaultPorts(role: string, osType: "Linux" | "Windows"): PortSpec[] {
  if (osType === "Windows") {
    return [
      { port: 135, path: "C:\\Windows\\System32\\svchost.exe" },
      { port: 445, path: "System", status: "danger" },
      { port: 3389, path: "C:\\Windows\\System32\\svchost.exe", status: "danger" },
      { port: 5985, path: "System" },
      { port: 123, type: "UDP", path: "C:\\Windows\\System32\\svchost.exe" },
    ];
  }
  const base = [SSH, DHCP, CHRONY];
  switch (role) {
    case "web":
      return [...base, { port: 80, path: "/usr/sbin/nginx" }, { port: 443, path: "/usr/sbin/nginx" }];
    case "api":
      return [
        ...base,
        { port: 8080, path: "/usr/lib/jvm/java-17-openjdk/bin/java" },
        { port: 9100, path: "/usr/local/bin/node_exporter" },
      ];
    case "db":
      return [...base, { port: 3306, path: "/usr/sbin/mysqld" }, { port: 33060, path: "/usr/sbin/mysqld" }];
    case "cache":
      return [...base, { port: 6379, path: "/usr/bin/redis-server", status: "danger" }];
    case "mq":
      return [
        ...base,
        { port: 5672, path: "/usr/lib64/erlang/erts-12.3/bin/beam.smp" },
        { port: 15672, path: "/usr/lib64/erlang/erts-12.3/bin/beam.smp" },
      ];
    case "es":
      return [
        ...base,
        { port: 9200, path: "/usr/share/elasticsearch/jdk/bin/java", status: "danger" },
        { port: 9300, path: "/usr/share/elasticsearch/jdk/bin/java" },
      ];
    case "k8s-node":
      return [
        ...base,
        { port: 10250, path: "/usr/bin/kubelet" },
        { port: 30080, path: "/usr/local/bin/kube-proxy" },
      ];
    default:
      return base;
  }
}

/** Risky listeners sprinkled over the generated fleet. */
export const DANGEROUS_EXTRAS: readonly PortSpec[] = [
  { port: 23, path: "/usr/sbin/in.telnetd", status: "danger" },
  { port: 2375, path: "/usr/bin/dockerd", status: "danger" },
  { port: 11211, path: "/usr/bin/memcached", status: "danger" },
  { port: 27017, path: "/usr/bin/mongod", status: "danger" },
  { port: 21, path: "/usr/sbin/vsftpd", status: "danger" },
];
