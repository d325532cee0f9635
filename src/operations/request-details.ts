import { z } from "zod";
import { DEFAULT_FINISHED_RETENTION_MS } from "../approvals/approval-service.js";
import type { PolicyTightening } from "../policy/compare-decisions.js";
import { NO_CHANGE, type Store } from "../store/store.js";
import type { DriftItem } from "../workflow/detect-drift.js";
import { NOT_RUN_CAUSES } from "../workflow/not-run-cause-of.js";
import type { Preflight } from "../workflow/preflight-types.js";
import type { StartNow } from "./judge-start-now.js";

/**
 * What the card of a request shows beyond the approval record: the preflight, the policy rules with their
 * descriptions, and how the execution went. Stored next to the approval record (`opsrequest:<id>`), so any
 * replica can re-render the card from the store.
 */
export const RequestDetailsSchema = z.object({
  requestId: z.string().min(1),
  /** `approval`: the policy asked for approvals; `allowed`: the policy allowed it, it ran at once. */
  kind: z.enum(["approval", "allowed"]),
  rules: z.array(z.object({ id: z.string(), description: z.string(), source: z.string() })),
  /** The preflight as shown when the request was made (a `Preflight`). */
  preflight: z.custom<Preflight>((v) => typeof v === "object" && v !== null),
  channelName: z.string().optional(),
  /** The execution's run ID, once claimed. */
  runId: z.string().optional(),
  /** How the run ended, for the card's final state. */
  result: z
    .object({
      status: z.enum(["succeeded", "failed", "outcome_unknown", "aborted"]),
      /** `48 stopped, 2 failed`. */
      summary: z.string(),
      /** An aborted run refused before it sent anything: why (absent for results recorded before it was kept). */
      notRun: z.enum(NOT_RUN_CAUSES).optional(),
      durationMs: z.number().optional(),
      /**
       * Each server's state read at the end of the run (`NOT_FOUND`: deleted), so the card shows the servers as
       * the run left them rather than as they were approved. Absent for runs recorded before it was kept.
       */
      servers: z
        .array(z.object({ id: z.string(), status: z.string().optional(), flavor: z.string().optional() }))
        .optional(),
      /**
       * A run in waves stopped on purpose (a `RunStop`): an Abort (who, after which wave) or the check before a
       * wave (which, why). The card then says so instead of "Done" or "Failed". Absent otherwise.
       */
      stop: z
        .discriminatedUnion("kind", [
          z.object({
            kind: z.literal("abort"),
            by: z.string().optional(),
            afterWave: z.number().int().nonnegative(),
            of: z.number().int().min(1),
          }),
          z.object({
            kind: z.literal("check"),
            beforeWave: z.number().int().min(1),
            of: z.number().int().min(1),
            why: z.string(),
          }),
        ])
        .optional(),
    })
    .optional(),
  /**
   * The policy decided again just before execution was stricter: what changed on the servers since the
   * request (name, tags) and how the decision tightened. The card and the thread say it from this.
   */
  redecision: z
    .object({
      changes: z.array(z.custom<DriftItem>((v) => typeof v === "object" && v !== null)),
      tightenings: z.array(z.custom<PolicyTightening>((v) => typeof v === "object" && v !== null)).min(1),
    })
    .optional(),
  /**
   * When an approved scheduled change starts as its card says it (`judgeStartNow`, kept by the periodic pass:
   * `createStartNowCards`), once the calendar moved its window since the approval. Absent: as asked.
   */
  startShown: z.custom<StartNow>((v) => typeof v === "object" && v !== null).optional(),
  /** Why the execution could not run (not a run outcome: e.g. an invalid record). */
  executionError: z.string().optional(),
  /** The run's status message in the thread, so a replica resuming the run updates it instead of posting another. */
  statusMessage: z
    .object({ channel: z.string(), ts: z.string(), threadTs: z.string().optional() })
    .optional(),
});
export type RequestDetails = z.infer<typeof RequestDetailsSchema>;

export const requestDetailsKey = (requestId: string) => `opsrequest:${requestId}`;
/** Set of the server IDs a name has had in requests, for `/ops audit <name>` after the server is gone. */
export const serverNameKey = (name: string) => `opsnames:${name}`;

export interface RequestDetailsStore {
  create(details: RequestDetails): Promise<void>;
  get(requestId: string): Promise<RequestDetails | undefined>;
  /** Read-modify-write; no-op when absent. */
  update(requestId: string, change: (d: RequestDetails) => RequestDetails): Promise<void>;
}

/**
 * `retentionMs`: the details expire this long after their last write (default 90 days, like finished requests):
 * far longer than any request stays open, and every write (the run's result at the end) starts it again.
 */
export function createRequestDetailsStore(
  store: Store,
  retentionMs = DEFAULT_FINISHED_RETENTION_MS,
): RequestDetailsStore {
  const retention = { ttlMs: retentionMs };
  return {
    async create(details) {
      const value = RequestDetailsSchema.parse(details);
      if (!(await store.createIfAbsent(requestDetailsKey(details.requestId), value, retention))) {
        throw new Error(`request details exist already: ${details.requestId}`);
      }
    },
    async get(requestId) {
      const stored = await store.get<unknown>(requestDetailsKey(requestId));
      if (stored === undefined) return undefined;
      const parsed = RequestDetailsSchema.safeParse(stored.value);
      return parsed.success ? parsed.data : undefined;
    },
    async update(requestId, change) {
      const result = await store.update<unknown>(
        requestDetailsKey(requestId),
        (current) => {
          if (current === undefined) return NO_CHANGE;
          return RequestDetailsSchema.parse(change(RequestDetailsSchema.parse(current.value)));
        },
        { retries: 20, ...retention },
      );
      if (!result.ok) throw new Error(`could not update the details of ${requestId}: ${result.reason}`);
    },
  };
}
