/**
 * The fixed parts of every generated world: the instant it starts, its time units, and the template
 * servers every fleet begins with.
 */
import type { MachineSpec } from "./build-machine.js";
import type { OsImageKey } from "./os-images.js";

/** Servers are created from this instant onwards (fixed, so the world does not depend on "now"). */
export const WORLD_EPOCH = Date.UTC(2024, 0, 15, 2, 0, 0);
/** Time units in milliseconds, for creation times and scan windows. */
export const MINUTE = 60_000;
export const DAY = 86_400_000;

/** The `env` tag of a server. */
export type Env = "prod" | "staging" | "dev";

/** A fixed server of the template: its name, size, placement, tags, image and what HSS reports on it. */
export interface TemplateServer {
  name: string;
  role: string;
  flavorId: string;
  status: "ACTIVE" | "SHUTOFF";
  az: number;
  env: Env;
  team: string;
  eip: boolean;
  image: OsImageKey;
  dataDisksGb?: number[];
  extraPorts?: MachineSpec["extraPorts"];
  hss?: MachineSpec["hss"];
}

/**
 * The first servers of every fleet. Later stories rely on them: `web-01` is ACTIVE with a dangerous
 * open port, `web-03`/`web-04` are staging, `db-02` has findings, `worker-01`/`api-02` are stopped.
 */
export const TEMPLATE: readonly TemplateServer[] = [
  {
    name: "web-01",
    role: "web",
    flavorId: "s6.large.2",
    status: "ACTIVE",
    az: 0,
    env: "prod",
    team: "platform",
    eip: true,
    image: "ubuntu22",
    extraPorts: [{ port: 2375, path: "/usr/bin/dockerd", status: "danger" }],
    hss: {
      agentStatus: "online",
      protectStatus: "opened",
      version: "hss.version.enterprise",
      detectResult: "risk",
      vulnerability: 12,
      baseline: 3,
      intrusion: 0,
    },
  },
  {
    name: "web-02",
    role: "web",
    flavorId: "s6.large.2",
    status: "ACTIVE",
    az: 1,
    env: "prod",
    team: "platform",
    eip: true,
    image: "ubuntu22",
    hss: { agentStatus: "online", protectStatus: "opened", version: "hss.version.enterprise" },
  },
  {
    name: "web-03",
    role: "web",
    flavorId: "s6.medium.2",
    status: "ACTIVE",
    az: 0,
    env: "staging",
    team: "platform",
    eip: false,
    image: "ubuntu22",
    hss: { agentStatus: "online", protectStatus: "opened", version: "hss.version.basic" },
  },
  {
    name: "web-04",
    role: "web",
    flavorId: "s6.medium.2",
    status: "ACTIVE",
    az: 2,
    env: "staging",
    team: "platform",
    eip: false,
    image: "ubuntu22",
    hss: { agentStatus: "online", protectStatus: "opened", version: "hss.version.basic" },
  },
  {
    name: "db-01",
    role: "db",
    flavorId: "m6.2xlarge.8",
    status: "ACTIVE",
    az: 0,
    env: "prod",
    team: "data",
    eip: false,
    image: "hce2",
    dataDisksGb: [500],
    hss: {
      agentStatus: "online",
      protectStatus: "opened",
      version: "hss.version.premium",
      detectResult: "clean",
      vulnerability: 0,
      baseline: 0,
      intrusion: 0,
    },
  },
  {
    name: "db-02",
    role: "db",
    flavorId: "m6.2xlarge.8",
    status: "ACTIVE",
    az: 1,
    env: "prod",
    team: "data",
    eip: false,
    image: "hce2",
    dataDisksGb: [500],
    extraPorts: [{ port: 23, path: "/usr/sbin/in.telnetd", status: "danger" }],
    hss: {
      agentStatus: "online",
      protectStatus: "opened",
      version: "hss.version.premium",
      detectResult: "risk",
      vulnerability: 5,
      baseline: 2,
      intrusion: 1,
    },
  },
  {
    name: "cache-01",
    role: "cache",
    flavorId: "c7.xlarge.2",
    status: "ACTIVE",
    az: 0,
    env: "prod",
    team: "platform",
    eip: false,
    image: "centos79",
    dataDisksGb: [100],
  },
  {
    name: "api-01",
    role: "api",
    flavorId: "c7.xlarge.2",
    status: "ACTIVE",
    az: 1,
    env: "prod",
    team: "payments",
    eip: true,
    image: "hce2",
  },
  {
    name: "worker-01",
    role: "worker",
    flavorId: "s6.small.1",
    status: "SHUTOFF",
    az: 2,
    env: "dev",
    team: "data",
    eip: false,
    image: "euler29",
  },
  {
    name: "cache-02",
    role: "cache",
    flavorId: "c7.xlarge.2",
    status: "ACTIVE",
    az: 2,
    env: "staging",
    team: "platform",
    eip: false,
    image: "centos79",
    dataDisksGb: [100],
  },
  {
    name: "api-02",
    role: "api",
    flavorId: "c7.xlarge.2",
    status: "SHUTOFF",
    az: 0,
    env: "staging",
    team: "payments",
    eip: false,
    image: "hce2",
  },
  {
    name: "bastion-01",
    role: "bastion",
    flavorId: "s6.small.1",
    status: "ACTIVE",
    az: 0,
    env: "prod",
    team: "security",
    eip: true,
    image: "win2019",
  },
];
