/**
 * The preflight checks of what an operation needs beyond an existing, idle server in the right status: the
 * lock, the quota of a resize, the tag limit, the key pair of a reinstall (and that it exists), the image of a
 * change of OS, the direction of a migration, the system disk a reinstall wipes, the disk of an attach or
 * detach (`check-attached-disks.ts`), and that a reinstall or change of OS of a server in ERROR follows a
 * failed one. Reads only (an attach dry run changes nothing). Results are written onto the preflight targets,
 * like the rest of `runPreflight`.
 */

import type { ServerAction } from "../cloud/ecs-operation-types.js";
import { CloudError } from "../cloud/errors.js";
import { forEachLimited } from "../cloud/for-each-limited.js";
import type { CloudClient, Flavor } from "../cloud/types.js";
import { suggestClosest } from "../config/suggest-closest.js";
import { joinWords } from "../render/escape-mrkdwn.js";
import { formatRamMb } from "../views/format-values.js";
import { checkAttachable, checkDetachable, checkSystemDisk } from "./check-attached-disks.js";
import { checkImageAvailable, checkKeyPairsExist, checkMigrationTarget } from "./check-named-resources.js";
import type { Operation, PreflightCheck } from "./flow-vocabulary.js";
import { applyTagChange } from "./operation-rules.js";
import type { PreflightProblem, PreflightTarget, QuotaCheck, QuotaFigure } from "./preflight-types.js";
import type { ServerRead } from "./read-servers.js";
import type { FlowParameters } from "./types.js";
import { checkedServerOf, writePreflightProblem } from "./write-preflight-problem.js";

/** An ECS has at most 10 tags (doc 5.9.3). */
export const MAX_SERVER_TAGS = 10;
const CONCURRENCY = 4;

/** Operations that stop a running server before their call (and, for some, start it again). */
export const RESTARTING: readonly Operation[] = ["resize", "reinstall", "change-os", "migrate"];

export function restartWarning(operation: Operation, name: string): string {
  switch (operation) {
    case "resize":
      return `${name}: is running; it will be stopped, resized and started again`;
    case "migrate":
      return `${name}: is running; it will be stopped, migrated and started again`;
    default:
      return `${name}: is running; it will be stopped, then start on its new system disk`;
  }
}

/**
 * A reinstall or change of OS of a stopped server (`from` SHUTOFF, planned to end ACTIVE): Huawei Cloud starts
 * it on its new system disk (the flow's wait expects it ACTIVE), so it does not stay stopped as the approvers
 * may expect. Undefined for any other case.
 */
export function startWarning(
  operation: Operation,
  name: string,
  from: string,
  to: string,
): string | undefined {
  if (operation !== "reinstall" && operation !== "change-os") return undefined;
  if (from !== "SHUTOFF" || to !== "ACTIVE") return undefined;
  return `${name}: is stopped; Huawei Cloud starts it on its new system disk, so it will be running afterwards`;
}

/**
 * What the lock of a server means for an operation: refused (by the cloud, or for tags by the team's rule), or
 * (lock/unlock) nothing to do.
 */
export function lockProblem(
  operation: Operation,
  name: string,
  locked: boolean,
): Omit<PreflightProblem, "serverId"> | undefined {
  if (operation === "lock") {
    return locked
      ? {
          severity: "warning",
          code: "already_locked",
          message: `${name}: already locked; it will be left out`,
        }
      : undefined;
  }
  if (operation === "unlock") {
    return locked
      ? undefined
      : { severity: "warning", code: "not_locked", message: `${name}: is not locked; it will be left out` };
  }
  if (!locked) return undefined;
  // 6.3.4: a lock blocks life cycle, status, NIC, disk and password management, not tags: refusing a tag
  // change is the bot's own rule (flows/tag.yml, flows/untag.yml), so it is said as such.
  const why =
    operation === "tag" || operation === "untag"
      ? "and by the team's rule the bot does not change the tags of a locked server"
      : "and a locked server refuses changes";
  return {
    severity: "blocking",
    code: "server_locked",
    message: `${name}: is locked, ${why}; unlock it first (/ecs unlock)`,
  };
}

export interface NeedsInput {
  operation: Operation;
  params: FlowParameters;
  has: (check: PreflightCheck) => boolean;
  /** The targets that exist, with their current state read. */
  found: PreflightTarget[];
  reads: ReadonlyMap<string, ServerRead>;
  ecs: CloudClient["ecs"];
  /** The flavor list, when it could be read. */
  flavors: ReadonlyMap<string, Flavor> | undefined;
  /** Problems of the whole request are added here. */
  global: PreflightProblem[];
  signal?: AbortSignal;
}

export interface NeedsResult {
  /** The parameters with what the preflight resolved (the key pair of a reinstall). */
  parameters: FlowParameters;
  quota?: QuotaCheck;
}

/** Runs the checks of `input.operation` that its flow lists. */
export async function checkOperationNeeds(input: NeedsInput): Promise<NeedsResult> {
  const { operation, has } = input;
  let parameters = { ...input.params };
  let quota: QuotaCheck | undefined;
  if (operation === "resize" && has("quota_allows")) quota = await checkQuota(input);
  if ((operation === "tag" && has("tag_limit")) || operation === "untag") describeTagChanges(input);
  if ((operation === "reinstall" || operation === "change-os") && has("key_pair_available")) {
    parameters = resolveKeyPair(input);
    await checkKeyPairsExist(input, parameters);
  }
  if ((operation === "reinstall" || operation === "change-os") && has("status_allows_operation"))
    await forEachLimited(
      input.found.filter((t) => t.current?.status === "ERROR" && !t.current.taskState),
      CONCURRENCY,
      (t) => checkRetryAfterFailedOsChange(input, t),
    );
  if (operation === "change-os" && has("image_available")) await checkImageAvailable(input);
  if (operation === "migrate" && has("migration_target_valid")) await checkMigrationTarget(input);
  if ((operation === "reinstall" || operation === "change-os") && has("attached_resources"))
    await forEachLimited(input.found, CONCURRENCY, (t) => checkSystemDisk(input, t));
  if (operation === "attach" && has("volume_attachable"))
    await forEachLimited(input.found, CONCURRENCY, (t) => checkAttachable(input, t));
  if (operation === "detach" && has("volume_detachable")) {
    await forEachLimited(input.found, CONCURRENCY, (t) => checkDetachable(input, t));
    // The device the disk is on, as read: bound with the request, so the card says it (the detach call does
    // not send it).
    const device = input.found[0]?.volume?.device;
    if (device !== undefined) parameters = { ...parameters, device };
  }
  return { parameters, ...(quota !== undefined && { quota }) };
}

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * Resize: the vCPUs and RAM the new flavors add, against the project's quotas. A change that would exceed a
 * quota is refused with the figures (the cloud would refuse it mid-flow, after the stop).
 */
async function checkQuota(input: NeedsInput): Promise<QuotaCheck | undefined> {
  const flavorRef = input.params.flavorRef;
  const to = flavorRef === undefined ? undefined : input.flavors?.get(flavorRef);
  if (to === undefined) return undefined;
  let vcpus = 0;
  let ramMb = 0;
  for (const t of input.found) {
    const from = t.current?.flavor;
    if (from === undefined || from.id === to.id) continue;
    vcpus += to.vcpus - (from.vcpus ?? to.vcpus);
    ramMb += to.ramMb - (from.ramMb ?? to.ramMb);
  }
  if (vcpus <= 0 && ramMb <= 0) return undefined;
  let quotas: Awaited<ReturnType<CloudClient["ecs"]["getQuotas"]>>;
  try {
    quotas = await input.ecs.getQuotas(input.signal);
  } catch (err) {
    if (!(err instanceof CloudError)) throw err;
    input.global.push({
      severity: "warning",
      code: "quota_unreadable",
      message: `the quotas could not be read (${err.code}); the cloud checks them when the resize runs`,
    });
    return undefined;
  }
  const figure = (
    used: number | undefined,
    max: number | undefined,
    delta: number,
  ): QuotaFigure | undefined =>
    used === undefined || max === undefined || max < 0 ? undefined : { used, max, delta };
  const check: QuotaCheck = {};
  const cores = figure(quotas.totalCoresUsed, quotas.maxTotalCores, vcpus);
  const ram = figure(quotas.totalRAMUsed, quotas.maxTotalRAMSize, ramMb);
  if (cores) check.vcpus = cores;
  if (ram) check.ramMb = ram;
  if (cores && cores.delta > 0 && cores.used + cores.delta > cores.max) {
    input.global.push({
      severity: "blocking",
      code: "quota_exceeded",
      message: `the vCPU quota would be exceeded: ${fmt(cores.used)} of ${fmt(cores.max)} in use, the resize adds ${fmt(cores.delta)} (${fmt(cores.used + cores.delta)} > ${fmt(cores.max)})`,
    });
  }
  if (ram && ram.delta > 0 && ram.used + ram.delta > ram.max) {
    input.global.push({
      severity: "blocking",
      code: "quota_exceeded",
      message: `the RAM quota would be exceeded: ${formatRamMb(ram.used)} of ${formatRamMb(ram.max)} in use, the resize adds ${formatRamMb(ram.delta)} (${formatRamMb(ram.used + ram.delta)} > ${formatRamMb(ram.max)})`,
    });
  }
  return check;
}

/**
 * Tag / untag: what each server gains and loses, a server that would end with more than 10 tags (refused),
 * and a server the change leaves as it is (said, never refused: the call is idempotent).
 */
function describeTagChanges(input: NeedsInput): void {
  for (const t of input.found) {
    const { added, removed, after } = applyTagChange(t.current?.tags ?? {}, input.params);
    t.tagChange = { added, removed };
    const count = Object.keys(after).length;
    if (count > MAX_SERVER_TAGS) {
      writePreflightProblem(
        t,
        "blocking",
        "too_many_tags",
        `${t.name}: would have ${count} tags; an ECS has at most ${MAX_SERVER_TAGS}`,
      );
    } else if (added.length + removed.length === 0) {
      writePreflightProblem(
        t,
        "warning",
        "no_tag_change",
        noTagChangeMessage(t.name, t.current?.tags ?? {}, input.params),
      );
    }
  }
}

/**
 * Why a tag change leaves a server as it is. A key to remove that the server does not have is named (most
 * often a typo), with the closest key it does have.
 */
function noTagChangeMessage(
  name: string,
  tags: Readonly<Record<string, string>>,
  params: FlowParameters,
): string {
  const missing = [
    ...new Set((params.removeTags ?? []).map((r) => r.key).filter((k) => !Object.hasOwn(tags, k))),
  ];
  if (missing.length === 0) return `${name}: its tags are already so; nothing changes`;
  const guesses = missing.flatMap((k) => suggestClosest(k, Object.keys(tags)) ?? []);
  const hint = guesses.length > 0 ? ` (did you mean ${joinWords([...new Set(guesses)], "or")}?)` : "";
  return `${name}: has no ${missing.length === 1 ? "tag" : "tags"} ${joinWords(missing)}${hint}; nothing changes`;
}

/** Reinstall / change OS: the key pair named, else the server's own. Never a password: none, no request. */
function resolveKeyPair(input: NeedsInput): FlowParameters {
  if (input.params.keyName !== undefined) return { ...input.params };
  const own = input.found.map((t) => checkedServerOf(input, t).keyName);
  for (const [i, t] of input.found.entries()) {
    if (own[i] === undefined) {
      writePreflightProblem(
        t,
        "blocking",
        "no_key_pair",
        `${t.name}: has no key pair, and the bot never sets a password; name one with --keypair <name>`,
      );
    }
  }
  const keys = new Set(own);
  const only = keys.size === 1 ? own[0] : undefined;
  return only === undefined ? { ...input.params } : { ...input.params, keyName: only };
}

/**
 * Whether a server's newest operation that can change its state (lock and unlock do not) is a reinstall or
 * change of OS that failed: both are `rebuild` in the cloud's record (6.13.1, Table 6-209), `Error` when it
 * failed. Actions come newest first.
 */
export function failedOsChangeOf(actions: readonly ServerAction[]): ServerAction | undefined {
  const last = actions.find((a) => a.action !== "lock" && a.action !== "unlock");
  return last?.action === "rebuild" && last.message === "Error" ? last : undefined;
}

/**
 * Reinstall / change OS of a server in ERROR: Huawei Cloud allows it only "for which OS reinstallation has
 * failed" (5.2.1, 5.2.2), and a failed one leaves the server in ERROR. Its operations tell: after a failed
 * reinstall or change of OS it is said what doing it again does (it is not stopped first, and it will be
 * running afterwards); any other ERROR, or operations that cannot be read, blocks the request with what the
 * operator can do.
 */
async function checkRetryAfterFailedOsChange(input: NeedsInput, t: PreflightTarget): Promise<void> {
  let actions: ServerAction[];
  try {
    actions = await input.ecs.listServerActions(t.id, input.signal);
  } catch (err) {
    if (!(err instanceof CloudError)) throw err;
    writePreflightProblem(
      t,
      "blocking",
      "status_not_allowed",
      `${t.name}: is in ERROR, and its operations could not be read (${err.code}) to show that a reinstall or change of OS failed, the only ERROR Huawei Cloud reinstalls from; ask again in a moment`,
    );
    return;
  }
  const again =
    input.operation === "reinstall"
      ? "reinstalling it again installs a new system disk from its image"
      : "changing its OS again installs a new system disk from the new image";
  if (failedOsChangeOf(actions) !== undefined) {
    writePreflightProblem(
      t,
      "warning",
      "will_start",
      `${t.name}: is in ERROR after a failed reinstall or change of OS; ${again} (it is not stopped first) and Huawei Cloud starts it, so it will be running afterwards`,
    );
    return;
  }
  const last = actions.find((a) => a.action !== "lock" && a.action !== "unlock");
  const lastWords =
    last === undefined
      ? "its operations show none"
      : `its last operation: ${last.action}${last.message === "Error" ? ", failed" : ""}`;
  writePreflightProblem(
    t,
    "blocking",
    "status_not_allowed",
    `${t.name}: is in ERROR, not after a failed reinstall or change of OS (${lastWords}); Huawei Cloud reinstalls or changes the OS only of a stopped server or one whose reinstall or change of OS failed. /ecs actions ${t.name} shows what it went through; recover it outside the bot first (for an ECS left abnormal, Huawei Cloud says to contact its technical support), then ask again`,
  );
}
