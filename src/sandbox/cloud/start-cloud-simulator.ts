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
 * - Accepted asynchronous actions (start/stop/reboot/delete/resize) answer 202 `{"job_id":…}`, and a
 *   successful `dry_run` resize answers 202 `{}` (doc: "returns status code 202").
 * - Resize: the doc says "only when the ECS is stopped"; resizing anything but a SHUTOFF server is
 *   rejected synchronously with 400 `Ecs.0100`. Unknown flavor: 400 `Ecs.0029`; same flavor: 400
 *   `Ecs.0810`. The v1 resize confirms itself: RESIZE → VERIFY_RESIZE → SHUTOFF (new flavor).
 * - State rule violations inside batch jobs (start an ACTIVE server, stop a stopped one, act on a
 *   server another job holds) fail that server's sub-job with `Ecs.0100` and a reason; the job ends
 *   FAIL when any sub-job fails. Unknown server IDs reject the whole request: 404 `Ecs.0114`.
 * - Batch actions over 1,000 servers: 400 `Ecs.0118`; malformed bodies: 400 `Ecs.0005`.
 * - Unknown or purged job IDs: 404 with `Common.0011` (the doc's code for an invalid job ID).
 * - Disk size in `block_device` answers is an integer (the doc's table and the SDK say Integer;
 *   its example shows a string). The doc's `/v2.1/servers/{id}/block_device` (no project ID) is
 *   served as printed, next to the SDK's `/v1/{project_id}/cloudservers/{id}/block_device`.
 * - Tags: served at the doc's `/v1/{project_id}/servers/{id}/tags`, the SDK's
 *   `/v1/{project_id}/cloudservers/{id}/tags` (`[{key,value}]`) and Nova's `/v2.1/…/tags` (strings).
 * - Gateway errors use `APIG.0301` (IAM authentication: bad signature, unknown AK, skew > 15 min,
 *   bad token), `APIG.0308` (429), `APIG.0101` (no such API), `APIG.0202`/`APIG.0203` (502/503/504).
 *   `APIG.0303` is the gateway's *app* authentication code, which IAM-authenticated cloud services
 *   do not use. Injected 500s use the failing service's own body (`Ecs.1000`, `HSS.0041`, …).
 * - HSS host/port `limit` outside 10–200 → 400 `HSS.0001`; the scan-task hosts API documents no
 *   range, so it accepts 1–200. An unknown scan task → 400 `HSS.0011`.
 * - The scan-task list (`GET /v5/{project_id}/vulnerability/scan-tasks`) is not in the reference
 *   docs: fields and filters follow the HSS SDK (`VulScanTaskInfo`, `ListVulScanTaskRequest`); the
 *   state goes out as `status` and also as `task_status` (this simulator's earlier name).
 * - `/v2.1` list APIs follow Nova: `limit` default 25, max 1000; a next link whenever a page is
 *   full; unknown `marker` → 400; microversion (`X-OpenStack-Nova-API-Version`) controls `tags`
 *   (2.26+) and the flavor shape (2.47+). The v1 list API's `offset` is a 1-based page number.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEcsRoutes } from "./create-ecs-routes.js";
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
      generateWorld({ servers: config.servers, seed: config.seed, region, edgeCases: config.edgeCases }),
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
  const routes = [...createEcsRoutes(), ...createHssRoutes(), ...createIamRoutes()];
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
