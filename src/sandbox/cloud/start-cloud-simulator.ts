/**
 * The simulated Huawei Cloud: one loopback HTTP server speaking the documented ECS, HSS and IAM
 * APIs (paths, bodies, status codes, error bodies), authenticated like the real API gateway, with
 * a deterministic world, time-driven asynchronous jobs, fault injection and a control interface.
 *
 * Decisions where the reference documents are ambiguous or inconsistent:
 * - Port status: the HSS docs list `unknown` in the response table but the service (and both doc
 *   examples) return `unknow`; we return `unknow` and accept either spelling in the `status` filter.
 * - The vulnerability scan-task GET example carries a JSON body; bodies on GETs are ignored.
 * - The ports example uses `hlimit=10`; unknown query parameters are ignored, never rejected.
 * - Accepted asynchronous tasks (start/stop/reboot/delete/resize/reinstall/change OS/attach/detach/
 *   migrate) answer `{"job_id":…}` with 200, which 10.3.2 defines as "the task is successfully
 *   delivered", or with 202 ("postponed because the system is busy") when other jobs are still
 *   unfinished at submission; the job runs on the usual timing either way. A successful `dry_run`
 *   (resize, attach) answers 202 `{}` (5.2.4: "returns status code 202").
 * - Nova `lock`/`unlock` (6.3.4/6.3.5, "Response: None") answer 202 without a body, as Nova does;
 *   both are idempotent and allowed on a locked ECS. `locked` (Table 6-38, microversion 2.9+) shows
 *   the state. A locked ECS refuses life cycle, status, disk and NIC operations with 400 `Ecs.0605`:
 *   synchronously for single-server tasks, in the sub-job for batch actions. Tags, reads and
 *   console output stay allowed.
 * - `os-getConsoleOutput` (6.14.1): `length` is an integer ≥ -1 or its string (the doc example sends
 *   `"50"`); absent or -1 = everything. With a microversion above 2.5 ("discarded since a version
 *   later than 2.5") it answers 404. The log is derived from the server and its boot time.
 * - Tag batch actions (5.9.3/5.9.4, "Response: None") answer 204. `create` keys follow 5.9.3's
 *   charset (≤ 36 chars; values ≤ 43, may be empty) → else 400 `Ecs.0906`; a key twice in one
 *   request → `Ecs.0908`; more than 10 tags → `Ecs.0905`. `delete` with a value removes the tag only
 *   when the value matches; without one, whatever the value. Both at the doc's `/servers/…` paths and
 *   the SDK's `/cloudservers/…` paths.
 * - Querying ECSs by tag (5.9.2): `offset` is the 0-based index of the first ECS returned, `limit`
 *   defaults to and caps at 1,000; `not_tags` (typed "Array of strings" in Table 5-68, `{key,values}`
 *   objects in the SDK) accepts both, a string naming a key; `matches` `resource_name` is a
 *   case-sensitive substring match. ECSs come newest first.
 * - Reinstall/change OS (5.2.1/5.2.2): `keyname` must name a key pair of the project (else
 *   `Ecs.0314`); `adminpass` is accepted instead (as the service does) but never stored; `userid` is
 *   optional for both (5.2.2 defaults it to the token's user; 5.2.1 marks it mandatory, but a
 *   client signing with AK/SK has no user ID to send). Only a SHUTOFF ECS (or an ACTIVE one with
 *   `mode: "withStopServer"`, the doc's example) with a system disk (else `Ecs.0105`); an unknown
 *   image → `Ecs.0031`. The job rebuilds (REBUILD) with a new system disk and the ECS ends ACTIVE.
 * - A failed reinstall/change OS: 5.2.1/5.2.2 also allow an ECS "for which OS reinstallation has failed"
 *   ("on which reinstalling or changing the OS failed"), but no page says what status that ECS is in. We
 *   read Table A-4 (vm_state `error` + task_state `rebuilding` → REBUILD, so an ECS in error can be
 *   rebuilt) and Nova (a failed rebuild sets vm_state `error`): a failed reinstall/change OS job leaves
 *   the ECS in ERROR (vm_state `error`, with `fault`), its disks as they were. Such an ECS (its newest
 *   operation in os-instance-actions other than lock/unlock is a `rebuild` with message `Error`) is
 *   accepted by both APIs again, with or without `mode`; an ECS in ERROR for any other reason → 400
 *   `Ecs.0100`, as are every other status but SHUTOFF (and ACTIVE with `withStopServer`). 6.3.6's
 *   "ECSs in the error state cannot be rebuilt" is about Nova's native rebuild, which is not served.
 * - Attach (5.6.1): an available disk to an ACTIVE or SHUTOFF ECS. A disk already attached to this
 *   ECS (or being attached to it) → 400 `Ecs.0057`; attached elsewhere, reserved by another attach,
 *   or unknown → 400 `Ecs.0103`; a device name in use → `Ecs.0005`; more than 24 disks →
 *   `Ecs.0104`. Without `device` the next free `/dev/vdX` is used; `/dev/vda` on an ECS without a
 *   system disk attaches the system disk (boot index 0).
 * - Detach (5.6.2): a disk not attached to this ECS → 400 `Ecs.0111`. The system disk (boot index 0
 *   in `block_device`) only from a SHUTOFF ECS (else `Ecs.0100`); an ECS without one then refuses
 *   start/reboot/reinstall with `Ecs.0105`. `delete_flag` must be 0 or 1. A detached disk becomes
 *   available; so do the data disks of a server deleted without `delete_volume`.
 * - Cold migration (5.2.3, "applies only to dedicated hosts"): a SHUTOFF ECS to one of the world's
 *   DeHs, or with `migrate: null` from a DeH back to the public pool; a public-pool ECS with
 *   `migrate: null` or an unknown DeH → `Ecs.0005`; the DeH it is on → `Ecs.0221`. It runs like
 *   Nova's cold migration: RESIZE (resize_migrating) → VERIFY_RESIZE → SHUTOFF on a new host.
 *   An ECS on a DeH shows it in its details as `os:scheduler_hints` `{tenancy: ["dedicated"],
 *   dedicated_host_id: [id]}` (Tables 6-46/6-57 type both "Array of strings" and say the field is
 *   "only available in DeH scenarios"; Table 6-16, the request side, has plain strings); a public-pool
 *   ECS has no `os:scheduler_hints`. The DeH list itself is another service's API, not served here.
 * - Key pairs and images (6.11.2, 11.2.3): `GET /v2.1/{project_id}/os-keypairs/{keypair_name}` and
 *   `GET /v2.1/{project_id}/images/{image_id}` answer the project's key pairs and the region's public
 *   images with the documented bodies; an unknown one is Nova's 404 `itemNotFound`. 11.2.3 is marked
 *   "Discarded" in favour of the image service's API, which the reference does not document, so it is
 *   served as printed. Key pair `id` is an integer (Table 6-185) and `type` appears from microversion 2.2.
 * - Quotas (5.7.1): limits are generated with room above the fleet (the doc example's values for
 *   small fleets); usage is counted from the current fleet at each request.
 * - ECS groups (5.10.5/5.10.6): creation order; `limit` without `marker` is the first page,
 *   `page_info.next_marker` appears when more groups follow. An unknown group has no documented
 *   code: 404 with `Ecs.0313` ("ECS group query failed").
 * - NICs: Nova's `/v2.1/…/os-interface` (6.7.1) and the SDK's `/v1/…/cloudservers/…/os-interface`
 *   (which adds `attachableQuantity.free_nic`); `port_state` is ACTIVE for a running ECS, else DOWN.
 * - Instance actions (6.13.1): newest first; `message` is null unless the operation failed
 *   (`Error`). Jobs and lock/unlock record them, with `req-<uuid>` request IDs.
 * - Nova flavors (6.6.1/6.6.2): `minRam`/`minDisk` filter (a non-integer → 400), `sort_key`
 *   (flavorid, name, memory_mb, vcpus, root_gb) and `sort_dir` (default asc) sort.
 * - Flavor sale status (5.4.1, Table 5-41): every v1 flavor (and a server's flavor `extra_specs`) carries
 *   `cond:operation:status` (`normal` unless set) and, where an AZ differs, `cond:operation:az` written as
 *   the doc's example (`"<az>(<status>), <az>(<status>)"`). Which flavors are sold out, abandoned, in OBT
 *   or on promotion in which AZ is a fixed table (`FLAVOR_SALE`), the same for every seed. Without
 *   `availability_zone` the list has every flavor, abandoned ones included ("abandon … (not displayed)" is
 *   read as the console's: the doc's own example is abandoned region-wide yet sold in two AZs, so it must be
 *   listed); with it, only those whose status in that AZ is normal, obt or promotion (Table 5-37). The real
 *   resize (not its dry run) to a flavor abandoned in the ECS's AZ → 400 `Ecs.0029` ("does not exist or
 *   has been abandoned"), sold out there (`sellout`, `obt_sellout`) → 400 `Ecs.0319` ("Insufficient
 *   resources for this flavor"): the resize API names no code for either; both are our reading of the
 *   error table. Nova's flavor APIs carry no sale status.
 * - Resize: the doc says "only when the ECS is stopped"; resizing anything but a SHUTOFF server is
 *   rejected synchronously with 400 `Ecs.0100`. Unknown flavor: 400 `Ecs.0029`; same flavor: 400
 *   `Ecs.0810`. The v1 resize confirms itself: RESIZE → VERIFY_RESIZE → SHUTOFF (new flavor).
 *   Its `dry_run` checks only what 5.2.4 lists, "mandatory parameters and request format" (`resize`,
 *   a non-empty `flavorRef`, a boolean `dry_run`; an unknown ECS is still 404 `Ecs.0114`): an unknown
 *   or unchanged flavor and a running, busy or locked ECS pass it with 202, and only the real resize
 *   refuses them: the doc promises no more, so a client must not read a passed dry run as more.
 * - State rule violations inside batch jobs (start an ACTIVE server, stop a stopped one, act on a
 *   server another job holds) fail that server's sub-job with `Ecs.0100` and a reason; the job ends
 *   FAIL when any sub-job fails. Unknown server IDs reject the whole request: 404 `Ecs.0114`.
 * - Batch actions over 1,000 servers: 400 `Ecs.0118`; malformed bodies: 400 `Ecs.0005`.
 * - Unknown or purged job IDs: 400 `{"code":"Common.0011","message":…}`. An assumption: the error code
 *   table lists 400 `Common.0011` "Failed to query system tasks" / "Invalid job ID" (printed split as
 *   "Comm on.00 11"), but says neither how long a job's record is kept nor what the ID of a purged job
 *   answers; we believe it is this, with the body in Table 5-63's shape (`code` and `message` among the
 *   job query's own response parameters, at the top level as in the SDK's `ShowJobResponse`; the
 *   `{"error":…}` wrapper of 10.3.1 belongs to the task-submitting APIs). Records are purged a day after
 *   the job ends (our choice). The bot is tolerant because it cannot be sure: `CloudError.isNotFound`
 *   takes `Common.0011` at any status, or a 404 from the service (never the gateway's `APIG.*`), as "job
 *   gone", and a gone job is then settled from the servers' state, never taken as success. A disk not
 *   attached to the ECS is 400 `Ecs.0111` (error code table) on every block device / volume attachment read.
 * - Disk size in `block_device` answers is an integer (the doc's table and the SDK say Integer;
 *   its example shows a string). The doc's `/v2.1/servers/{id}/block_device` (no project ID) is
 *   served as printed, next to the SDK's `/v1/{project_id}/cloudservers/{id}/block_device`.
 * - Tags: served at the doc's `/v1/{project_id}/servers/{id}/tags`, the SDK's
 *   `/v1/{project_id}/cloudservers/{id}/tags` (`[{key,value}]`) and Nova's `/v2.1/…/tags` (strings);
 *   project tags at the doc's `/v1/{project_id}/servers/tags` and the SDK's `/cloudservers/tags`.
 * - Gateway errors use `APIG.0301` (IAM authentication: bad signature, unknown AK, skew > 15 min,
 *   bad token), `APIG.0308` (429), `APIG.0101` (no such API), `APIG.0202`/`APIG.0203` (502/503/504).
 *   `APIG.0303` is the gateway's *app* authentication code, which IAM-authenticated cloud services
 *   do not use. Injected 500s use the failing service's own body: ECS's is `Common.0001` (the error code
 *   table's 500 "A system exception occurred"; `Ecs.1000` is 400 there), HSS's `HSS.0041`, Nova's
 *   `computeFault`.
 * - Documented answers a test injects by code (`failNextRequests({ code })`, `INJECTABLE_ERRORS`), with
 *   the status the reference gives them, before the request reaches the service (nothing changes):
 *   404 `APIG.0101` (the gateway's "no such API": a wrong endpoint, which says nothing about the server
 *   or job asked for); 501 `Ecs.0603` ("Other commands are being executed. Try again 1 minute later": a
 *   refusal); 400 `Ecs.1000`/`Ecs.1001`/`Ecs.1002` (Nova call failed / OpenStack access error / timed
 *   out: the service failing inside, so a mutation's outcome is unknown). The table's statuses "may not
 *   be accurate" (A.2), so the bot classifies these by code, not status; the simulator never gives
 *   `Ecs.0603` or `Ecs.100x` on its own (its jobs' sub-job failures may carry `Ecs.1000` as `error_code`).
 * - HSS hosts carry `common_login_area_codes` only with `get_common_login_locations=true`: one or
 *   two area codes fixed by the host ID, none for a host whose agent never reported.
 * - HSS host/port `limit` outside 10–200 → 400 `HSS.0001`; the scan-task hosts API documents no
 *   range, so it accepts 1–200. An unknown scan task → 400 `HSS.0011`.
 * - HSS open-port filters are strict: `type` only `TCP` or `UDP` (lowercase → 400), `status` only
 *   `danger` or `unknow` (and `unknown`, above); `normal`, listed only among the response values, → 400.
 *   The real service's answer to other values is not documented; being strict catches a client sending them.
 * - HSS host `agent_status=installed` matches online, offline, install_failed and installing agents (the
 *   request table's "installed" type); the simulator never answers `installed` as a host's own status.
 * - The scan-task list (`GET /v5/{project_id}/vulnerability/scan-tasks`) is not in the reference
 *   docs: fields and filters follow the HSS SDK (`VulScanTaskInfo`, `ListVulScanTaskRequest`); the
 *   state goes out as `status` and also as `task_status` (this simulator's earlier name).
 * - `/v2.1` list APIs follow Nova: `limit` default 25, max 1000; a next link whenever a page is
 *   full; unknown `marker` → 400; microversion (`X-OpenStack-Nova-API-Version`) controls `tags`
 *   (2.26+) and the flavor shape (2.47+). The v1 list API's `offset` is a 1-based page number.
 * - `changes-since` (6.2.4/6.2.5: "ECSs with statuses updated later than the timestamp"): the servers
 *   whose last change (any change the simulator makes: status, task, tags, a control patch) is at or
 *   after it; any ISO 8601 time is accepted (the doc's form has whole seconds), anything else → 400. A
 *   deleted server is gone from it: the doc does not say that deletions are reported (Nova reports them
 *   as `DELETED`), so the bot must not count on it and compares the fleet's `count` instead.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEcsCatalogRoutes } from "./create-ecs-catalog-routes.js";
import { createEcsInspectionRoutes } from "./create-ecs-inspection-routes.js";
import { createEcsRoutes } from "./create-ecs-routes.js";
import { createEcsServerActionRoutes } from "./create-ecs-server-action-routes.js";
import { createEcsTagRoutes } from "./create-ecs-tag-routes.js";
import { createFaultInjector } from "./create-fault-injector.js";
import { createHssRoutes } from "./create-hss-routes.js";
import { createHttpHandler } from "./create-http-handler.js";
import { createIamRoutes } from "./create-iam-routes.js";
import { createJobEngine, type JobTiming } from "./create-job-engine.js";
import { createPrng, deriveSeed } from "./create-prng.js";
import { createRequestLog } from "./create-request-log.js";
import { createSimulatorControl, type SimulatorControl } from "./create-simulator-control.js";
import { createTokenStore } from "./create-token-store.js";
import { createWorldStore } from "./create-world-store.js";
import { DEFAULT_SERVER_COUNT, generateWorld } from "./generate-world.js";
import { type SimClock, systemClock } from "./sim-clock.js";
import type { SimConfig, SimCore } from "./sim-core.js";

/** Fake credentials of the simulator (never valid anywhere else). */
export const SIM_DEFAULTS = {
  region: "cn-north-4",
  projectId: "5ca1ab1e0000000000000000c0ffee01",
  domainId: "d0d0cafe000000000000000000000001",
  userId: "a11ce000000000000000000000000001",
  ak: "SIMULATORAK000000001",
  sk: "SimulatorSecretKey0000000000000000000001",
  iamUser: { domain: "hwc-sim", name: "sim-operator", password: "Sim-Passw0rd!" },
  seed: 1,
  jobTiming: { initMs: 500, runningMs: 2000 },
  /** Finished jobs stay queryable for a day, then 404. */
  jobRetentionMs: 24 * 60 * 60 * 1000,
} as const;

export interface CloudSimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Regular servers (default 12: web-01..04, db-01/02, cache, api, worker, bastion). */
  servers?: number;
  /** World seed (default 1): same seed, same world. */
  seed?: number;
  /** Default `cn-north-4`; the project name equals the region, as on Huawei Cloud. */
  region?: string;
  projectId?: string;
  ak?: string;
  sk?: string;
  /** Adds duplicate names, names with spaces/non-ASCII and Slack markup. */
  edgeCases?: boolean;
  /** Job phase durations (default INIT 500 ms, RUNNING 2000 ms). */
  jobTiming?: { initMs?: number; runningMs?: number };
  /** Default: the wall clock. Pass `createManualClock()` to drive time from tests. */
  clock?: SimClock;
  /**
   * The seeded vulnerability scan tasks lead up to the clock's now when the world is built (at start and on
   * reset): the running one started 10 minutes before, the finished ones a day and two days before, as a
   * visitor of the playground expects. Default false: they lead up to a fixed instant of the world, so the
   * same seed gives the same world whatever the clock.
   */
  recentScanTasks?: boolean;
  /** How long finished jobs stay queryable (default one day). */
  jobRetentionMs?: number;
  /**
   * Time source for the ±15 minute `X-Sdk-Date` check (default `Date.now`): clients sign with their
   * wall clock even when the simulator runs on a manual clock.
   */
  signatureNow?: () => number;
  /** IAM password-auth identity accepted by `POST /v3/auth/tokens`. */
  iamUser?: { domain?: string; name?: string; password?: string };
  /** Called when the simulator itself throws while handling a request (it answers 500). */
  onInternalError?: (error: unknown) => void;
}

export interface CloudSimulator {
  /** `http://127.0.0.1:<port>`; every service is served here, routed by path. */
  url: string;
  ecsEndpoint: string;
  hssEndpoint: string;
  iamEndpoint: string;
  region: string;
  projectId: string;
  ak: string;
  sk: string;
  iamUser: { domain: string; name: string; password: string };
  control: SimulatorControl;
  close(): Promise<void>;
}

/** Starts the simulated cloud on loopback. */
export async function startCloudSimulator(options: CloudSimulatorOptions = {}): Promise<CloudSimulator> {
  const region = options.region ?? SIM_DEFAULTS.region;
  const iamUser = {
    domain: options.iamUser?.domain ?? SIM_DEFAULTS.iamUser.domain,
    name: options.iamUser?.name ?? SIM_DEFAULTS.iamUser.name,
    password: options.iamUser?.password ?? SIM_DEFAULTS.iamUser.password,
  };
  const config: SimConfig = {
    region,
    projectId: options.projectId ?? SIM_DEFAULTS.projectId,
    domainId: SIM_DEFAULTS.domainId,
    domainName: iamUser.domain,
    userId: SIM_DEFAULTS.userId,
    userName: iamUser.name,
    password: iamUser.password,
    ak: options.ak ?? SIM_DEFAULTS.ak,
    sk: options.sk ?? SIM_DEFAULTS.sk,
    seed: options.seed ?? SIM_DEFAULTS.seed,
    servers: options.servers ?? DEFAULT_SERVER_COUNT,
    edgeCases: options.edgeCases ?? false,
  };
  const clock = options.clock ?? systemClock;
  const timing: JobTiming = {
    initMs: options.jobTiming?.initMs ?? SIM_DEFAULTS.jobTiming.initMs,
    runningMs: options.jobTiming?.runningMs ?? SIM_DEFAULTS.jobTiming.runningMs,
  };
  const retention = options.jobRetentionMs ?? SIM_DEFAULTS.jobRetentionMs;

  const buildWorld = () =>
    createWorldStore(
      generateWorld({
        servers: config.servers,
        seed: config.seed,
        region,
        edgeCases: config.edgeCases,
        ...(options.recentScanTasks ? { scanTasksEnd: clock.now() } : {}),
      }),
    );
  const store = buildWorld();
  const core: SimCore = {
    config,
    store,
    jobs: createJobEngine(store, createPrng(deriveSeed(config.seed, "jobs")), timing, retention),
    tokens: createTokenStore(),
    faults: createFaultInjector(createPrng(deriveSeed(config.seed, "faults"))),
    log: createRequestLog(),
    secrets: new Map([[config.ak, config.sk]]),
    clock,
    addPrng: createPrng(deriveSeed(config.seed, "added")),
    clockOffset: 0,
    now: () => clock.now() + core.clockOffset,
    wallNow: options.signatureNow ?? (() => Date.now()),
    baseUrl: "",
  };
  const control = createSimulatorControl(core, () => {
    const fresh = buildWorld();
    const keepTiming = core.jobs.timing();
    core.store = fresh;
    core.jobs = createJobEngine(fresh, createPrng(deriveSeed(config.seed, "jobs")), keepTiming, retention);
  });
  // Literal paths (`/cloudservers/limits`, `/cloudservers/os-server-groups`) come before the
  // `/cloudservers/{server_id}` routes that would otherwise take them for a server ID.
  const routes = [
    ...createEcsInspectionRoutes(),
    ...createEcsCatalogRoutes(),
    ...createEcsTagRoutes(),
    ...createEcsServerActionRoutes(),
    ...createEcsRoutes(),
    ...createHssRoutes(),
    ...createIamRoutes(),
  ];
  const handler = createHttpHandler(core, routes, control, options.onInternalError ?? (() => {}));
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      options.onInternalError?.(err);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // Clients poll jobs over keep-alive connections; do not let idle sockets pin close().
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  core.baseUrl = url;

  return {
    url,
    ecsEndpoint: url,
    hssEndpoint: url,
    iamEndpoint: url,
    region,
    projectId: config.projectId,
    ak: config.ak,
    sk: config.sk,
    iamUser,
    control,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
