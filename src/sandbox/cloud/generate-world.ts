import {
  buildMachine,
  DANGEROUS_EXTRAS,
  type Machine,
  type MachineSpec,
  type NetworkPlan,
} from "./build-machine.js";
import { createPrng, deriveSeed, type Prng } from "./create-prng.js";
import { FLAVOR_CATALOG } from "./flavor-catalog.js";
import {
  generateProjectResources,
  type ProjectResources,
  quotaLimitsFor,
  securityGroupCatalog,
} from "./generate-project-resources.js";
import { generateScanTasks } from "./generate-scan-tasks.js";
import type { OsImageKey } from "./os-images.js";
import { DAY, type Env, MINUTE, TEMPLATE, type TemplateServer, WORLD_EPOCH } from "./world-template.js";
import type { SimScanTask, SimTag } from "./world-types.js";

export { WORLD_EPOCH } from "./world-template.js";

export interface WorldOptions {
  /** Number of regular servers (the edge-case servers come on top). */
  servers: number;
  seed: number;
  region: string;
  edgeCases: boolean;
  /** The instant the seeded scan tasks lead up to; default a fixed one (same seed, same world). */
  scanTasksEnd?: number;
}

export interface GeneratedWorld {
  machines: Machine[];
  scanTasks: SimScanTask[];
  plan: NetworkPlan;
  /** Availability zones of the region, e.g. `cn-north-4a`. */
  availabilityZones: string[];
  resources: ProjectResources;
}

/** Size of the default fleet: exactly the template. */
export const DEFAULT_SERVER_COUNT = TEMPLATE.length;

const ROLE_WEIGHTS: readonly (readonly [string, number])[] = [
  ["web", 22],
  ["api", 18],
  ["k8s-node", 12],
  ["worker", 14],
  ["db", 8],
  ["cache", 8],
  ["batch", 6],
  ["mq", 5],
  ["es", 5],
  ["bastion", 2],
];

const ROLE_FLAVORS: Record<string, readonly string[]> = {
  web: ["s6.large.2", "s6.medium.2", "s6.xlarge.2"],
  api: ["c7.xlarge.2", "c7.large.2"],
  "k8s-node": ["c7.2xlarge.4", "c7.xlarge.2"],
  worker: ["s6.small.1", "s6.medium.2", "c7.large.2"],
  db: ["m6.2xlarge.8", "m6.large.8"],
  cache: ["m6.large.8", "c7.xlarge.2"],
  batch: ["c7.2xlarge.4"],
  mq: ["s6.xlarge.2"],
  es: ["m6.2xlarge.8", "c7.2xlarge.4"],
  bastion: ["s6.small.1"],
};

const ROLE_TEAMS: Record<string, readonly string[]> = {
  web: ["platform", "growth", "search"],
  api: ["payments", "platform", "growth", "search"],
  "k8s-node": ["platform"],
  worker: ["data", "payments", "growth"],
  db: ["data", "payments"],
  cache: ["platform", "search"],
  batch: ["data"],
  mq: ["platform", "payments"],
  es: ["search", "data"],
  bastion: ["security"],
};

const ROLE_DATA_DISKS: Record<string, number[]> = {
  db: [500],
  cache: [100],
  es: [1000],
  mq: [200],
};

/** Builds the whole world from a seed. Same inputs, same world. */
export function generateWorld(options: WorldOptions): GeneratedWorld {
  const { seed, region } = options;
  const count = Math.max(0, Math.floor(options.servers));
  const azs = [`${region}a`, `${region}b`, `${region}c`];
  const netPrng = createPrng(deriveSeed(seed, "network"));
  const plan: NetworkPlan = {
    vpcId: netPrng.uuid(),
    networkIds: Object.fromEntries(azs.map((az) => [az, netPrng.uuid()])),
    secondaryNetworkId: "",
    securityGroups: [],
    nextPrivate: 0,
    nextPublic: 0,
    nextSecondary: 0,
  };
  const defaultGroupId = netPrng.uuid();
  plan.secondaryNetworkId = netPrng.uuid();
  plan.securityGroups = securityGroupCatalog(netPrng, defaultGroupId);
  // Spread creation times over about a year, strictly increasing with the index.
  const step = Math.max(MINUTE, Math.floor((365 * DAY) / Math.max(count, 1)));
  const specs: MachineSpec[] = [];
  const roleCounters = new Map<string, number>();
  for (const t of TEMPLATE) roleCounters.set(t.role, (roleCounters.get(t.role) ?? 0) + 1);
  for (let i = 0; i < count; i++) {
    const prng = createPrng(deriveSeed(seed, "server", i));
    const created = WORLD_EPOCH + i * step + prng.int(0, Math.floor(step / 2));
    const template = TEMPLATE[i];
    specs.push(
      template ? templateSpec(template, azs, created) : generatedSpec(prng, roleCounters, azs, created),
    );
  }
  if (options.edgeCases) {
    const base = WORLD_EPOCH + count * step;
    specs.push(...edgeCaseSpecs(azs, base));
  }
  const machines = specs.map((spec, i) =>
    buildMachine(createPrng(deriveSeed(seed, "machine", i, spec.name)), spec, plan),
  );
  const scanTasks = generateScanTasks(
    createPrng(deriveSeed(seed, "scan-tasks")),
    machines,
    options.scanTasksEnd,
  );
  const flavors = new Map(FLAVOR_CATALOG.map((f) => [f.id, f]));
  const limits = quotaLimitsFor(
    machines,
    (id) => flavors.get(id)?.vcpus ?? 0,
    (id) => flavors.get(id)?.ramMb ?? 0,
  );
  const resources = generateProjectResources(createPrng(deriveSeed(seed, "project")), machines, limits);
  return { machines, scanTasks, plan, availabilityZones: azs, resources };
}

function tags(env: Env, team: string, role: string): SimTag[] {
  return [
    { key: "env", value: env },
    { key: "team", value: team },
    { key: "role", value: role },
  ];
}

function templateSpec(t: TemplateServer, azs: string[], created: number): MachineSpec {
  return {
    name: t.name,
    role: t.role,
    flavorId: t.flavorId,
    status: t.status,
    availabilityZone: azs[t.az % azs.length] ?? azs[0]!,
    tags: tags(t.env, t.team, t.role),
    image: t.image,
    eip: t.eip,
    dataDisksGb: t.dataDisksGb ?? [],
    created,
    ...(t.extraPorts ? { extraPorts: t.extraPorts } : {}),
    ...(t.hss ? { hss: t.hss } : {}),
  };
}

function generatedSpec(
  prng: Prng,
  roleCounters: Map<string, number>,
  azs: string[],
  created: number,
): MachineSpec {
  const role = prng.weighted(ROLE_WEIGHTS);
  const n = (roleCounters.get(role) ?? 0) + 1;
  roleCounters.set(role, n);
  const env = prng.weighted<Env>([
    ["prod", 50],
    ["staging", 30],
    ["dev", 20],
  ]);
  const windows = role === "bastion" || (role !== "db" && role !== "k8s-node" && prng.chance(0.04));
  const image: OsImageKey = windows
    ? "win2019"
    : prng.weighted<OsImageKey>([
        ["hce2", 40],
        ["ubuntu22", 35],
        ["centos79", 15],
        ["euler29", 10],
      ]);
  const eipShare = role === "bastion" ? 1 : role === "web" ? 0.6 : role === "api" ? 0.4 : 0.05;
  return {
    name: `${role}-${String(n).padStart(2, "0")}`,
    role,
    flavorId: prng.pick(ROLE_FLAVORS[role] ?? ["s6.medium.2"]),
    status: prng.weighted<"ACTIVE" | "SHUTOFF" | "ERROR">([
      ["ACTIVE", 86],
      ["SHUTOFF", 12],
      ["ERROR", 2],
    ]),
    availabilityZone: prng.pick(azs),
    tags: tags(env, prng.pick(ROLE_TEAMS[role] ?? ["platform"]), role),
    image,
    eip: prng.chance(eipShare),
    dataDisksGb: ROLE_DATA_DISKS[role] ?? (prng.chance(0.3) ? [100] : []),
    created,
    ...(!windows && prng.chance(0.15) ? { extraPorts: [prng.pick(DANGEROUS_EXTRAS)] } : {}),
  };
}

/**
 * Names that break naive code: duplicates (same name in two AZs), spaces, non-ASCII, and Slack
 * markup that must be escaped before it reaches a message.
 */
function edgeCaseSpecs(azs: string[], base: number): MachineSpec[] {
  const names: [string, number][] = [
    ["dup-01", 0],
    ["dup-01", 1],
    ["ops box 1", 2],
    ["数据库-01", 0],
    ["<!channel>", 1],
    ["<https://evil.example|Approve>", 2],
    ["*bold* _x_", 0],
  ];
  return names.map(([name, az], i) => ({
    name,
    role: "misc",
    flavorId: "s6.medium.2",
    status: "ACTIVE",
    availabilityZone: azs[az] ?? azs[0]!,
    tags: tags("dev", "qa", "misc"),
    image: "ubuntu22",
    eip: false,
    dataDisksGb: [],
    created: base + (i + 1) * MINUTE,
  }));
}
