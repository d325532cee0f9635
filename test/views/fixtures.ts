import type { Flavor, HssHost, Job, OpenPort, ScanTaskHost, Server } from "../../src/cloud/types.js";

/** Deterministic domain objects for the view builders. */
export function makeServer(i: number, overrides: Partial<Server> = {}): Server {
  const statuses = ["ACTIVE", "ACTIVE", "SHUTOFF", "ACTIVE", "ERROR", "REBOOT"];
  return {
    id: `3f1c${String(i).padStart(4, "0")}-9a2b-4c7d-8e1f-0b2a3c4d5e6f`,
    name: `ecs-prod-${String(i).padStart(5, "0")}`,
    status: statuses[i % statuses.length] ?? "ACTIVE",
    flavor: { id: "s6.large.2", name: "s6.large.2", vcpus: 2, ramMb: 8192 },
    addresses: [
      { network: "net-a", addr: `10.0.${(i >> 8) & 255}.${i & 255}`, version: 4, type: "fixed" },
      ...(i % 4 === 0
        ? [{ network: "net-a", addr: `121.36.0.${i & 255}`, version: 4, type: "floating" }]
        : []),
    ],
    tags: ["env=prod", `team=core-${i % 3}`],
    availabilityZone: `cn-north-4${"abc"[i % 3]}`,
    created: "2024-05-22T07:48:53Z",
    metadata: {},
    volumeIds: ["vol-1"],
    securityGroups: ["sg-default"],
    imageId: "img-ubuntu-22",
    ...overrides,
  };
}

export const HOSTILE_NAMES = [
  "<!channel>",
  "<!here> please",
  "<https://evil.example|Approve>",
  "<@U0ADMIN>",
  "*bold* _x_ ~strike~",
  "`code` ```block```",
  ":large_green_circle: fake-ok",
  "@channel @everyone",
  "> quoted\nsecond line",
  "evil\u202Egnp.exe",
  "&lt;!channel&gt;",
];

export function makeFlavor(id: string, vcpus: number, ramMb: number, extra: Partial<Flavor> = {}): Flavor {
  return { id, name: id, vcpus, ramMb, performanceType: "normal", extraSpecs: {}, ...extra };
}

export const JOB: Job = {
  jobId: "ff80808288d41e1b018990260955686a",
  jobType: "batchStopServers",
  status: "FAIL",
  beginTime: "2024-05-22T07:48:53.000+0000",
  endTime: "2024-05-22T07:49:20.000+0000",
  errorCode: "Ecs.0100",
  failReason: "One or more sub-jobs failed.",
  subJobsTotal: 2,
  subJobs: [
    {
      jobId: "sub-1",
      jobType: "stopServer",
      status: "SUCCESS",
      serverId: "3f1c0001-9a2b-4c7d-8e1f-0b2a3c4d5e6f",
    },
    {
      jobId: "sub-2",
      jobType: "stopServer",
      status: "FAIL",
      serverId: "3f1c0002-9a2b-4c7d-8e1f-0b2a3c4d5e6f",
      errorCode: "Ecs.0100",
      errorcodeMessage: "The server is not ACTIVE.",
    },
  ],
};

export function makeHost(i: number, extra: Partial<HssHost> = {}): HssHost {
  const agents = ["online", "offline", "not_installed", "online"];
  return {
    hostId: `3f1c${String(i).padStart(4, "0")}-9a2b-4c7d-8e1f-0b2a3c4d5e6f`,
    hostName: `web-${String(i).padStart(2, "0")}`,
    privateIp: `192.168.0.${i}`,
    agentStatus: agents[i % agents.length] ?? "online",
    protectStatus: i % 3 === 0 ? "closed" : "opened",
    version: i % 3 === 0 ? "hss.version.null" : "hss.version.enterprise",
    detectResult: i % 2 === 0 ? "risk" : "clean",
    osType: "Linux",
    osName: "Ubuntu",
    osVersion: "22.04",
    vulnerability: i % 2 === 0 ? 3 : 0,
    baseline: i % 2 === 0 ? 1 : 0,
    intrusion: 0,
    labels: [],
    ...extra,
  };
}

export const PORTS: OpenPort[] = [
  { port: 443, type: "TCP", status: "normal", pid: 812, path: "/usr/sbin/nginx", laddr: "0.0.0.0" },
  { port: 22, type: "TCP", status: "normal", pid: 611, path: "/usr/sbin/sshd", laddr: "0.0.0.0" },
  { port: 6379, type: "TCP", status: "danger", pid: 1444, path: "/usr/bin/redis-server", laddr: "0.0.0.0" },
  { port: 123, type: "UDP", status: "unknow", pid: 530, path: "/usr/sbin/chronyd", laddr: "127.0.0.1" },
  { port: 23, type: "TCP", status: "danger", pid: 977, path: "/usr/sbin/in.telnetd", laddr: "0.0.0.0" },
];

export const SCAN_HOSTS: ScanTaskHost[] = [
  { hostId: "h-1", hostName: "web-01", privateIp: "192.168.0.10", scanStatus: "success", failedReasons: [] },
  {
    hostId: "h-2",
    hostName: "db-01",
    privateIp: "192.168.0.14",
    scanStatus: "failed",
    failedReasons: [{ vulType: "linux_vul", failedReason: "The agent is offline." }],
  },
  {
    hostId: "h-3",
    hostName: "cache-01",
    privateIp: "192.168.0.16",
    scanStatus: "scanning",
    failedReasons: [],
  },
];
