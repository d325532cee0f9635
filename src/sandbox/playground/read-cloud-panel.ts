import type { JobStatus, SimulatorControl } from "../cloud/index.js";

/** One row of the cloud panel. */
export interface PanelServer {
  id: string;
  name: string;
  status: string;
  flavorId: string;
  privateIp: string;
  env: string | null;
  /** The job holding the server, if any. */
  busyJobId: string | null;
  /** Locked (Nova lock): changes to it are refused. */
  locked: boolean;
  /** HSS agent status as HSS reports it; null when the machine has no HSS host. */
  agentStatus: string | null;
}

export interface PanelJob {
  id: string;
  jobType: string;
  status: JobStatus;
  createdAt: string;
  endAt: string;
  servers: { id: string; name: string; status: JobStatus; failReason: string | null }[];
}

/** What the cloud panel shows: servers (by name), recent jobs (newest first) and the fault knobs. */
export interface CloudPanel {
  region: string;
  now: string;
  servers: PanelServer[];
  jobs: PanelJob[];
  latencyMs: number;
}

const MAX_JOBS = 20;

/**
 * A snapshot of the simulated cloud for the page, read in-process through the simulator's control.
 * `knownNames` (server ID → name) is updated on each read so jobs of deleted servers keep their names.
 */
export function readCloudPanel(
  control: SimulatorControl,
  region: string,
  knownNames: Map<string, string> = new Map(),
): CloudPanel {
  const servers = control.servers();
  for (const s of servers) knownNames.set(s.id, s.name);
  const names = knownNames;
  const jobs = control
    .jobs()
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, MAX_JOBS)
    .map((j) => ({
      id: j.id,
      jobType: j.jobType,
      status: j.status,
      createdAt: j.createdAt,
      endAt: j.endAt,
      servers: j.subJobs.map((s) => ({
        id: s.serverId,
        // Deleted servers are gone from the world: show the ID.
        name: names.get(s.serverId) ?? s.serverId,
        status: s.status,
        failReason: s.failReason,
      })),
    }));
  return {
    region,
    now: new Date(control.now()).toISOString(),
    servers: servers
      .map((s) => ({
        id: s.id,
        name: s.name,
        status: s.status,
        flavorId: s.flavorId,
        privateIp: s.privateIp,
        env: s.tags.env ?? null,
        busyJobId: s.busyJobId,
        locked: s.locked,
        agentStatus: control.host(s.id)?.agentStatus ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
    jobs,
    latencyMs: control.faults().latencyMs,
  };
}
