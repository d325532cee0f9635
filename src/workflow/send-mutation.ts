/**
 * The cloud calls of a run: what each call sends (from the approved parameters), how a step's servers are
 * split into API calls (one intent per call), and the one place a call reaches the client. Nothing here
 * writes the run record: `drive-run.ts` saves the intent before {@link sendMutation} and the outcome after.
 */
import { ECS_BATCH_LIMIT } from "../cloud/create-ecs-api.js";
import { CloudError, OutcomeUnknownError } from "../cloud/errors.js";
import type { BatchActionResult, CloudClient } from "../cloud/types.js";
import { SERVER_BUSY_REFUSAL } from "../views/build-cloud-error-view.js";
import { BATCH_CALLS, type CallName } from "./flow-vocabulary.js";
import type { CallParams, MutationRecord } from "./run-record.js";
import type { FlowParameters } from "./types.js";

/** What a call sends besides the server IDs, from the approved parameters. */
export function callParamsOf(call: CallName, p: FlowParameters): CallParams {
  switch (call) {
    case "ecs.batch_stop":
    case "ecs.batch_reboot":
      return { type: p.hard === true ? "HARD" : "SOFT" };
    case "ecs.batch_start":
    case "ecs.lock":
    case "ecs.unlock":
      return {};
    case "ecs.resize":
      return p.flavorRef === undefined ? {} : { flavorRef: p.flavorRef };
    case "ecs.delete":
      // Always explicit: "omitted" would leave the EIP's fate to its own setting, which the preflight cannot promise.
      return { deleteVolume: p.deleteVolume === true, deletePublicIp: p.deleteEip === true };
    case "ecs.add_tags":
      return { tags: (p.addTags ?? []).map((t) => ({ key: t.key, value: t.value })) };
    case "ecs.delete_tags":
      return {
        tagRefs: (p.removeTags ?? []).map((t) => (t.value === undefined ? { key: t.key } : { ...t })),
      };
    case "ecs.reinstall":
      return p.keyName === undefined ? {} : { keyName: p.keyName };
    case "ecs.change_os":
      return {
        ...(p.keyName !== undefined && { keyName: p.keyName }),
        ...(p.imageId !== undefined && { imageId: p.imageId }),
      };
    case "ecs.attach_volume":
      return {
        ...(p.volumeId !== undefined && { volumeId: p.volumeId }),
        ...(p.device !== undefined && { device: p.device }),
      };
    case "ecs.detach_volume":
      return p.volumeId === undefined ? {} : { volumeId: p.volumeId };
    case "ecs.migrate":
      return p.dedicatedHostId === undefined ? {} : { dedicatedHostId: p.dedicatedHostId };
  }
}

/**
 * One API call per mutation: batch calls take up to the API's batch size (the client would split >1,000
 * servers itself, but then one intent would cover several calls); every other call takes one server.
 */
export function planMutations(
  call: CallName,
  serverIds: readonly string[],
  params: CallParams,
): MutationRecord[] {
  const groups: string[][] = [];
  if (!BATCH_CALLS.includes(call)) for (const id of serverIds) groups.push([id]);
  else
    for (let i = 0; i < serverIds.length; i += ECS_BATCH_LIMIT)
      groups.push(serverIds.slice(i, i + ECS_BATCH_LIMIT));
  return groups.map((ids, index) => ({ index, call, serverIds: ids, params, state: "planned" }));
}

/**
 * How a call ended. `accepted` without a job ID: the API answers the call without a job (tags, lock); the
 * wait that follows confirms it from the servers. `outcome_unknown`: `code` says why (`server-error`,
 * `timeout`, `network`, `invalid-response`, `INTERNAL`) and `message` what the cloud answered, in operator
 * words with its HTTP status, error code and request ID where known (see {@link describeUnknownAnswer}).
 */
export type SendOutcome =
  | { kind: "accepted"; jobId?: string }
  | { kind: "rejected"; code: string; message: string }
  | { kind: "outcome_unknown"; code: string; message: string };

/** Longest cloud message kept in an answer: enough to recognise it, never a page of HTML. */
const MAX_CLOUD_MESSAGE = 120;

/**
 * What the cloud answered to a call whose outcome is unknown, for the run record, the thread and Huawei
 * support: "the cloud answered 503 APIG.0202: Backend unavailable (request 5f2c…)", "no answer in time
 * (timed out)". Plain text (the views escape it).
 */
export function describeUnknownAnswer(err: OutcomeUnknownError): string {
  const cause = err.cause instanceof CloudError ? err.cause : undefined;
  const requestId = err.requestId ?? cause?.requestId;
  const request = requestId !== undefined ? ` (request ${requestId})` : "";
  switch (err.reason) {
    case "server-error": {
      const status = err.status ?? cause?.status;
      const code = cause !== undefined && !/^HTTP_\d+$/.test(cause.code) ? ` ${cause.code}` : "";
      const text = cause?.message.trim() ?? "";
      const said =
        text === "" || text === `HTTP ${status}`
          ? ""
          : `: ${text.length > MAX_CLOUD_MESSAGE ? `${text.slice(0, MAX_CLOUD_MESSAGE)}…` : text}`;
      return `the cloud answered ${status ?? "a server error"}${code}${said}${request}`;
    }
    case "timeout":
      return `no answer in time (timed out)${request}`;
    case "network":
      return `the connection broke before the answer arrived${request}`;
    case "invalid-response":
      return `the cloud's answer could not be read${request}`;
  }
}

function outcomeOfError(err: unknown): SendOutcome {
  // A refusal: the cloud did nothing. The server busy with other commands (`Ecs.0603`) is said in the
  // operator's words (the cloud's own is only "Try again later"). An answer whose outcome is in doubt (5xx,
  // `Ecs.1000`–`Ecs.1002`) arrives as `OutcomeUnknownError`, never here (see the transport).
  if (err instanceof CloudError)
    return { kind: "rejected", code: err.code, message: err.isBusy ? SERVER_BUSY_REFUSAL : err.message };
  if (err instanceof OutcomeUnknownError)
    return { kind: "outcome_unknown", code: err.reason, message: describeUnknownAnswer(err) };
  // Anything else happened somewhere between us and the cloud: whether the call left cannot be known.
  return {
    kind: "outcome_unknown",
    code: "INTERNAL",
    message: err instanceof Error ? err.message : String(err),
  };
}

function outcomeOfBatch(res: BatchActionResult): SendOutcome {
  const job = res.jobs[0];
  const failure = res.failures[0];
  if (res.jobs.length + res.failures.length !== 1) {
    return {
      kind: "outcome_unknown",
      code: "INTERNAL",
      message: `expected one API call, the client made ${res.jobs.length + res.failures.length}`,
    };
  }
  if (job) return { kind: "accepted", jobId: job.jobId };
  return outcomeOfError(failure!.error);
}

/** A parameter the approval bound is missing: the call is refused here, never sent half-specified. */
function missing(what: string): SendOutcome {
  return { kind: "rejected", code: "MISSING_PARAMETER", message: `no ${what} was approved for this call` };
}

/** Sends one mutation (one API call). Never throws: every failure is an outcome. */
export async function sendMutation(ecs: CloudClient["ecs"], m: MutationRecord): Promise<SendOutcome> {
  const serverId = m.serverIds[0]!;
  const p = m.params;
  try {
    switch (m.call) {
      case "ecs.batch_start":
        return outcomeOfBatch(await ecs.startServers(m.serverIds));
      case "ecs.batch_stop":
        return outcomeOfBatch(await ecs.stopServers(m.serverIds, p.type ?? "SOFT"));
      case "ecs.batch_reboot":
        return outcomeOfBatch(await ecs.rebootServers(m.serverIds, p.type ?? "SOFT"));
      case "ecs.delete":
        return outcomeOfBatch(
          await ecs.deleteServers(m.serverIds, {
            deleteVolume: p.deleteVolume === true,
            deletePublicIp: p.deletePublicIp === true,
          }),
        );
      case "ecs.resize": {
        if (p.flavorRef === undefined) return missing("flavor");
        const res = await ecs.resizeServer(serverId, p.flavorRef);
        if (res.dryRun)
          return { kind: "outcome_unknown", code: "INTERNAL", message: "resize answered as a dry run" };
        return { kind: "accepted", jobId: res.jobId };
      }
      case "ecs.add_tags":
        if ((p.tags ?? []).length === 0) return missing("tag");
        await ecs.addServerTags(serverId, p.tags ?? []);
        return { kind: "accepted" };
      case "ecs.delete_tags":
        if ((p.tagRefs ?? []).length === 0) return missing("tag");
        await ecs.deleteServerTags(serverId, p.tagRefs ?? []);
        return { kind: "accepted" };
      case "ecs.lock":
        await ecs.lockServer(serverId);
        return { kind: "accepted" };
      case "ecs.unlock":
        await ecs.unlockServer(serverId);
        return { kind: "accepted" };
      case "ecs.reinstall":
        if (p.keyName === undefined) return missing("key pair");
        return { kind: "accepted", jobId: await ecs.reinstallServer(serverId, { keyName: p.keyName }) };
      case "ecs.change_os":
        if (p.keyName === undefined) return missing("key pair");
        if (p.imageId === undefined) return missing("image");
        return {
          kind: "accepted",
          jobId: await ecs.changeServerOs(serverId, { keyName: p.keyName, imageId: p.imageId }),
        };
      case "ecs.attach_volume": {
        if (p.volumeId === undefined) return missing("disk");
        const res = await ecs.attachVolume(
          serverId,
          p.volumeId,
          p.device === undefined ? {} : { device: p.device },
        );
        if (res.dryRun)
          return { kind: "outcome_unknown", code: "INTERNAL", message: "attach answered as a dry run" };
        return { kind: "accepted", jobId: res.jobId };
      }
      case "ecs.detach_volume":
        if (p.volumeId === undefined) return missing("disk");
        return { kind: "accepted", jobId: await ecs.detachVolume(serverId, p.volumeId) };
      case "ecs.migrate":
        return {
          kind: "accepted",
          jobId: await ecs.migrateServer(
            serverId,
            p.dedicatedHostId === undefined ? {} : { dedicatedHostId: p.dedicatedHostId },
          ),
        };
    }
  } catch (err) {
    return outcomeOfError(err);
  }
}
