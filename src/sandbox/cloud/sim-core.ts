import type { FaultInjector } from "./create-fault-injector.js";
import type { JobEngine } from "./create-job-engine.js";
import type { Prng } from "./create-prng.js";
import type { RequestLog } from "./create-request-log.js";
import type { TokenStore } from "./create-token-store.js";
import type { WorldStore } from "./create-world-store.js";
import type { SimClock } from "./sim-clock.js";

/** Identity and sizing of one simulated account/region. */
export interface SimConfig {
  region: string;
  projectId: string;
  domainId: string;
  domainName: string;
  userId: string;
  userName: string;
  password: string;
  ak: string;
  sk: string;
  seed: number;
  servers: number;
  edgeCases: boolean;
}

/**
 * The shared state every route and the control interface work on. `store` and `jobs` are replaced
 * by `reset()`, so read them through this object on every request rather than capturing them.
 */
export interface SimCore {
  readonly config: SimConfig;
  store: WorldStore;
  jobs: JobEngine;
  readonly tokens: TokenStore;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  /** AK -> SK of every accepted credential. */
  readonly secrets: Map<string, string>;
  readonly clock: SimClock;
  /** PRNG for machines added at run time (deterministic given the sequence of additions). */
  addPrng: Prng;
  /** Time added by `advance()` when the clock is not a manual clock. */
  clockOffset: number;
  /** Simulator time: the clock plus `clockOffset`. */
  now(): number;
  /** Wall time used for the ±15 minute `X-Sdk-Date` check. */
  wallNow(): number;
  /** `http://127.0.0.1:<port>` once listening. */
  baseUrl: string;
}
