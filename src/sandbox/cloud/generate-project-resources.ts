import type { Machine } from "./build-machine.js";
import type { Prng } from "./create-prng.js";
import type {
  SimQuotaLimits,
  SimSecurityGroup,
  SimSecurityGroupRule,
  SimServerGroup,
  SimVolume,
} from "./world-types.js";

/** Project-level resources around the fleet: what ECS groups, spare disks, DeHs and quotas exist. */
export interface ProjectResources {
  serverGroups: SimServerGroup[];
  /** EVS disks not attached to any ECS. */
  volumes: SimVolume[];
  /** Dedicated hosts (DeH) a server can be cold-migrated to. */
  dedicatedHostIds: string[];
  /** SSH key pairs of the project (reinstall/change OS name one). */
  keyPairs: string[];
  quotaLimits: SimQuotaLimits;
}

/** Key pairs of every project; `KeyPair-ops` is the one the Linux servers were created with. */
export const KEY_PAIRS: readonly string[] = ["KeyPair-ops", "KeyPair-deploy"];

type RuleSpec = Omit<SimSecurityGroupRule, "id">;

const rule = (
  ipProtocol: string | null,
  fromPort: number | null,
  toPort: number | null,
  from: { cidr: string } | { group: string },
): RuleSpec => ({
  ipProtocol,
  fromPort,
  toPort,
  cidr: "cidr" in from ? from.cidr : null,
  remoteGroup: "group" in from ? from.group : null,
});

const GROUPS: readonly { name: string; description: string; rules: RuleSpec[] }[] = [
  {
    name: "sg-default",
    description: "default",
    rules: [
      rule(null, null, null, { group: "sg-default" }),
      rule("tcp", 22, 22, { group: "sg-bastion" }),
      rule("icmp", -1, -1, { cidr: "192.168.0.0/16" }),
    ],
  },
  {
    name: "sg-web",
    description: "HTTP and HTTPS from anywhere",
    rules: [rule("tcp", 80, 80, { cidr: "0.0.0.0/0" }), rule("tcp", 443, 443, { cidr: "0.0.0.0/0" })],
  },
  {
    name: "sg-db",
    description: "MySQL and Redis from the web tier",
    rules: [rule("tcp", 3306, 3306, { group: "sg-web" }), rule("tcp", 6379, 6379, { group: "sg-web" })],
  },
  {
    name: "sg-bastion",
    description: "SSH and RDP from the office",
    rules: [
      rule("tcp", 22, 22, { cidr: "203.0.113.0/24" }),
      rule("tcp", 3389, 3389, { cidr: "203.0.113.0/24" }),
    ],
  },
];

/** The project's security groups; `sg-default` takes `defaultId` (drawn before the others existed). */
export function securityGroupCatalog(prng: Prng, defaultId: string): SimSecurityGroup[] {
  return GROUPS.map((g) => ({
    id: g.name === "sg-default" ? defaultId : prng.uuid(),
    name: g.name,
    description: g.description,
    rules: g.rules.map((r) => ({ id: prng.uuid(), ...r })),
  }));
}

/** Anti-affinity groups of the template pairs; members only when those servers exist. */
const GROUP_MEMBERS: readonly (readonly [string, readonly string[]])[] = [
  ["SvrGrp-web-prod", ["web-01", "web-02"]],
  ["SvrGrp-db", ["db-01", "db-02"]],
  ["SvrGrp-cache", ["cache-01", "cache-02"]],
  ["SvrGrp-spare", []],
];

const roundUp = (value: number, step: number): number => Math.ceil(value / step) * step;

/**
 * Quota limits with room above the generated fleet: the doc example's limits for small fleets
 * (2,048 ECSs, 20,480 cores, 24 TB RAM), scaled up so a 10,000-server world stays under them.
 */
export function quotaLimitsFor(
  machines: readonly Machine[],
  vcpusOf: (flavorId: string) => number,
  ramOf: (flavorId: string) => number,
): SimQuotaLimits {
  let cores = 0;
  let ram = 0;
  let eips = 0;
  for (const { server } of machines) {
    cores += vcpusOf(server.flavorId);
    ram += ramOf(server.flavorId);
    if (server.publicIp) eips++;
  }
  return {
    maxTotalInstances: Math.max(2048, roundUp(machines.length * 1.25, 1000)),
    maxTotalCores: Math.max(20_480, roundUp(cores * 1.25, 1000)),
    maxTotalRAMSize: Math.max(25_165_824, roundUp(ram * 1.25, 1024 * 1024)),
    maxTotalFloatingIps: Math.max(10, roundUp(eips * 1.5, 10)),
    maxSecurityGroups: 10,
    maxSecurityGroupRules: 20,
    maxServerGroups: 10,
    maxServerGroupMembers: 16,
    maxTotalKeypairs: -1,
    maxServerMeta: 128,
    maxImageMeta: 128,
    maxPersonality: 5,
    maxPersonalitySize: 10_240,
  };
}

/** Deterministic given the PRNG and the machines. */
export function generateProjectResources(
  prng: Prng,
  machines: readonly Machine[],
  quotaLimits: SimQuotaLimits,
): ProjectResources {
  const idsByName = new Map<string, string>();
  for (const { server } of machines) if (!idsByName.has(server.name)) idsByName.set(server.name, server.id);
  const serverGroups = GROUP_MEMBERS.map(([name, members]) => ({
    id: prng.uuid(),
    name,
    policies: ["anti-affinity"],
    members: members.flatMap((n) => idsByName.get(n) ?? []),
  }));
  // A few spare disks, more for a bigger fleet (bounded: they are listed in full by the control UI).
  const spare = Math.min(40, 4 + Math.floor(machines.length / 500));
  const volumes = Array.from({ length: spare }, (_, i) => ({
    id: prng.uuid(),
    sizeGb: [10, 50, 100, 200][i % 4]!,
    reservedBy: null,
  }));
  const dedicatedHostIds = [prng.uuid(), prng.uuid()];
  return { serverGroups, volumes, dedicatedHostIds, keyPairs: [...KEY_PAIRS], quotaLimits };
}
