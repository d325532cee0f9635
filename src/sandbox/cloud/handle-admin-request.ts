import type { FailRequestsOptions, FaultSettings, PathMatch } from "./create-fault-injector.js";
import { SimControlError, type SimulatorControl } from "./create-simulator-control.js";
import { isRecord } from "./match-route.js";
import { isManualClock } from "./sim-clock.js";
import type { SimCore } from "./sim-core.js";

/** Prefix of the simulator's own admin API; never mistaken for a cloud API path. */
export const ADMIN_PREFIX = "/__sim";

export interface AdminResponse {
  status: number;
  body?: unknown;
}

function matchToJson(match: PathMatch | null | undefined): string | null {
  if (match === null || match === undefined) return null;
  // RegExp#source escapes "/"; undo it so the string round-trips through toPathMatch.
  return typeof match === "string" ? match : `re:${match.source.replace(/\\\//g, "/")}`;
}

/** Fault settings with matchers as JSON-friendly strings (`re:<pattern>` for RegExps). */
export function faultsToJson(f: FaultSettings): Record<string, unknown> {
  return {
    ...f,
    match: matchToJson(f.match),
    dropAfterCommit: f.dropAfterCommit
      ? { count: f.dropAfterCommit.count ?? null, match: matchToJson(f.dropAfterCommit.match) }
      : null,
  };
}

function state(core: SimCore, control: SimulatorControl): Record<string, unknown> {
  const servers = control.servers();
  return {
    region: core.config.region,
    projectId: core.config.projectId,
    ecsEndpoint: core.baseUrl,
    hssEndpoint: core.baseUrl,
    iamEndpoint: core.baseUrl,
    now: new Date(control.now()).toISOString(),
    manualClock: isManualClock(core.clock),
    servers: servers.length,
    byStatus: servers.reduce<Record<string, number>>((acc, s) => {
      acc[s.status] = (acc[s.status] ?? 0) + 1;
      return acc;
    }, {}),
    jobTiming: control.jobTiming(),
    faults: faultsToJson(control.faults()),
  };
}

function body(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new SimControlError(400, "body must be JSON");
  }
  if (!isRecord(parsed)) throw new SimControlError(400, "body must be a JSON object");
  return parsed;
}

/**
 * The JSON admin API under `/__sim/` (unsigned, for the playground UI and tests). Every route maps
 * onto a `SimulatorControl` method; invalid input becomes 400/404/409 `{ "error": … }`. `:id`
 * accepts a server ID or name; `:taskId` is a scan task ID.
 *
 * | Route                              | Control method                      |
 * | ---------------------------------- | ----------------------------------- |
 * | GET  /__sim/ , /__sim/state        | summary (endpoints, counts, faults) |
 * | GET  /__sim/servers?name=&status=  | servers()                           |
 * | POST /__sim/servers                | addServer(spec)                     |
 * | GET/PATCH/DELETE /__sim/servers/:id| server / setServer / deleteServer   |
 * | POST /__sim/servers/:id/disks      | attachDisk(id, {volumeId?,sizeGb?,device?}) |
 * | DELETE /__sim/servers/:id/disks/:volumeId | detachDisk(id, volumeId)     |
 * | POST /__sim/servers/:id/nics       | addNic(id)                          |
 * | POST /__sim/servers/:id/console {lines} | appendConsoleOutput(id, lines) |
 * | GET/POST /__sim/volumes            | volumes / addVolume                 |
 * | GET/POST /__sim/server-groups      | serverGroups / addServerGroup       |
 * | GET  /__sim/dedicated-hosts        | dedicatedHosts()                    |
 * | GET/PUT /__sim/quotas              | quotas / setQuotas                  |
 * | GET  /__sim/flavors                | flavors()                           |
 * | GET/PATCH /__sim/hosts/:id         | host / setHost                      |
 * | GET/POST /__sim/hosts/:id/ports    | ports / addPort                     |
 * | GET/POST /__sim/scan-tasks         | scanTasks / addScanTask(spec)       |
 * | GET  /__sim/scan-tasks/:taskId     | scanTask(id)                        |
 * | POST /__sim/scan-tasks/:taskId/finish | finishScanTask(id, options)      |
 * | GET  /__sim/jobs , /__sim/jobs/:id | jobs() / job(id)                    |
 * | POST /__sim/jobs/fail-next         | failNextJob(options)                |
 * | DELETE /__sim/jobs/failures        | clearJobFailures()                  |
 * | GET/PUT /__sim/job-timing          | jobTiming / setJobTiming            |
 * | GET/PUT/DELETE /__sim/faults       | faults / setFaults / clearFaults    |
 * | POST /__sim/faults/fail-next       | failNextRequests(options)           |
 * | GET/DELETE /__sim/requests         | requests / clearRequests            |
 * | GET  /__sim/clock                  | now()                               |
 * | POST /__sim/clock/advance {ms}     | advance(ms)                         |
 * | POST /__sim/reset                  | reset()                             |
 */
export function handleAdminRequest(
  core: SimCore,
  control: SimulatorControl,
  method: string,
  path: string,
  query: URLSearchParams,
  raw: Buffer,
): AdminResponse {
  const segs = path
    .slice(ADMIN_PREFIX.length)
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s));
  const [a, b, c] = segs;
  const route = `${method} /${segs.map((s, i) => (i === 1 && a !== "faults" && a !== "jobs" && a !== "clock" ? ":id" : s)).join("/")}`;
  try {
    if (method === "DELETE" && a === "servers" && c === "disks" && segs.length === 4) {
      return { status: 200, body: control.detachDisk(resolveId(control, b!), segs[3]!) };
    }
    switch (route) {
      case "POST /servers/:id/disks":
        return { status: 201, body: control.attachDisk(resolveId(control, b!), body(raw) as never) };
      case "POST /servers/:id/nics":
        return { status: 201, body: control.addNic(resolveId(control, b!)) };
      case "POST /servers/:id/console":
        return {
          status: 200,
          body: { lines: control.appendConsoleOutput(resolveId(control, b!), body(raw).lines as never) },
        };
      case "GET /volumes":
        return { status: 200, body: control.volumes() };
      case "POST /volumes":
        return { status: 201, body: control.addVolume(body(raw) as never) };
      case "GET /server-groups":
        return { status: 200, body: control.serverGroups() };
      case "POST /server-groups":
        return { status: 201, body: control.addServerGroup(body(raw) as never) };
      case "GET /dedicated-hosts":
        return { status: 200, body: control.dedicatedHosts() };
      case "GET /quotas":
        return { status: 200, body: control.quotas() };
      case "PUT /quotas":
      case "PATCH /quotas":
        return { status: 200, body: control.setQuotas(body(raw) as never) };
      case "GET /":
      case "GET /state":
        return { status: 200, body: state(core, control) };
      case "GET /servers": {
        const name = query.get("name");
        const status = query.get("status");
        const servers = control
          .servers()
          .filter((s) => (!name || s.name.includes(name)) && (!status || s.status === status));
        return { status: 200, body: servers };
      }
      case "POST /servers":
        return { status: 201, body: control.addServer(body(raw) as never) };
      case "GET /servers/:id": {
        const s = control.server(b!);
        return s ? { status: 200, body: s } : { status: 404, body: { error: `no server ${b}` } };
      }
      case "PATCH /servers/:id":
      case "PUT /servers/:id":
        return { status: 200, body: control.setServer(resolveId(control, b!), body(raw) as never) };
      case "DELETE /servers/:id":
        return control.deleteServer(resolveId(control, b!))
          ? { status: 204 }
          : { status: 404, body: { error: `no server ${b}` } };
      case "GET /flavors":
        return { status: 200, body: control.flavors() };
      case "GET /hosts/:id": {
        const h = control.host(resolveId(control, b!));
        return h ? { status: 200, body: h } : { status: 404, body: { error: `no host ${b}` } };
      }
      case "PATCH /hosts/:id":
      case "PUT /hosts/:id":
        return { status: 200, body: control.setHost(resolveId(control, b!), body(raw) as never) };
      case "GET /hosts/:id/ports":
        return { status: 200, body: control.ports(resolveId(control, b!)) };
      case "POST /hosts/:id/ports":
        return { status: 201, body: control.addPort(resolveId(control, b!), body(raw) as never) };
      case "GET /scan-tasks":
        return { status: 200, body: control.scanTasks() };
      case "POST /scan-tasks":
        return { status: 201, body: control.addScanTask(body(raw) as never) };
      case "GET /scan-tasks/:id": {
        const t = control.scanTask(b!);
        return t ? { status: 200, body: t } : { status: 404, body: { error: `no scan task ${b}` } };
      }
      case "POST /scan-tasks/:id/finish":
        return { status: 200, body: control.finishScanTask(b!, body(raw) as never) };
      case "GET /jobs":
        return { status: 200, body: control.jobs() };
      case "POST /jobs/fail-next":
        control.failNextJob(body(raw) as never);
        return { status: 204 };
      case "DELETE /jobs/failures":
        control.clearJobFailures();
        return { status: 204 };
      case "GET /job-timing":
        return { status: 200, body: control.jobTiming() };
      case "PUT /job-timing":
      case "PATCH /job-timing":
        return { status: 200, body: control.setJobTiming(body(raw) as never) };
      case "GET /faults":
        return { status: 200, body: faultsToJson(control.faults()) };
      case "PUT /faults":
      case "PATCH /faults":
        return { status: 200, body: faultsToJson(control.setFaults(body(raw) as never)) };
      case "DELETE /faults":
        control.clearFaults();
        return { status: 204 };
      case "POST /faults/fail-next": {
        // Checked by the injector: a bad status or code is a TypeError, answered 400 below.
        control.failNextRequests(body(raw) as unknown as FailRequestsOptions);
        return { status: 204 };
      }
      case "GET /requests":
        return { status: 200, body: control.requests() };
      case "DELETE /requests":
        control.clearRequests();
        return { status: 204 };
      case "GET /clock":
        return {
          status: 200,
          body: {
            now: control.now(),
            iso: new Date(control.now()).toISOString(),
            manual: isManualClock(core.clock),
          },
        };
      case "POST /clock/advance": {
        const ms = body(raw).ms;
        if (typeof ms !== "number") throw new SimControlError(400, "ms (number) is required");
        control.advance(ms);
        return { status: 200, body: { now: control.now(), iso: new Date(control.now()).toISOString() } };
      }
      case "POST /reset":
        control.reset();
        return { status: 200, body: state(core, control) };
    }
    if (a === "jobs" && b && !c && method === "GET") {
      const job = control.job(b);
      return job ? { status: 200, body: job } : { status: 404, body: { error: `no job ${b}` } };
    }
    return { status: 404, body: { error: `no admin route ${method} ${path}` } };
  } catch (err) {
    if (err instanceof SimControlError) return { status: err.status, body: { error: err.message } };
    if (err instanceof TypeError || err instanceof SyntaxError)
      return { status: 400, body: { error: err.message } };
    throw err;
  }
}

/** Admin paths accept a server ID or, for convenience, a unique-enough name. */
function resolveId(control: SimulatorControl, idOrName: string): string {
  return control.server(idOrName)?.id ?? idOrName;
}
