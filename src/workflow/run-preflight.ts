import { CloudError } from "../cloud/errors.js";
import { forEachLimited } from "../cloud/for-each-limited.js";
import { parseServerTags } from "../cloud/parse-server-tags.js";
import { readHssHostsById } from "../cloud/read-hss-hosts-by-id.js";
import type { CloudClient, Flavor, Server } from "../cloud/types.js";
import { checkAttachedResources } from "./check-attached-resources.js";
import { checkFlavorSale } from "./check-flavor-sale.js";
import {
  checkOperationNeeds,
  lockProblem,
  RESTARTING,
  restartWarning,
  startWarning,
} from "./check-operation-needs.js";
import { busyWith, taskInProgress } from "./describe-busy-task.js";
import { CHECKS_OF_OPERATION, type Operation, type PreflightCheck } from "./flow-vocabulary.js";
import {
  allowedStatuses,
  callPlanOf,
  DEFAULT_CALL_PLANS,
  describeAllowedStatuses,
  doneStatuses,
  leftOutStatuses,
  planTarget,
  statusInWords,
} from "./operation-rules.js";
import {
  nothingToDoMessage,
  unknownFlavorMessage,
  waitForTasksMessage,
} from "./preflight-blocking-messages.js";
import type {
  FlavorInfo,
  Preflight,
  PreflightProblem,
  PreflightProblemCode,
  PreflightTarget,
} from "./preflight-types.js";
import { posture } from "./read-hss-posture.js";
import { readServers, type ServerRead } from "./read-servers.js";
import { runResizeDryRun } from "./run-resize-dry-run.js";
import type { FlowDefinition, FlowParameters } from "./types.js";

export interface PreflightOptions {
  /** The operation's flow: its checks are run and its calls planned. Default: every check of the operation. */
  flow?: FlowDefinition;
  now?: () => number;
  signal?: AbortSignal;
  /**
   * The targets as read moments ago by this same command (its resolution): used instead of reading them
   * again. Only for a preflight shown before approval; the execution re-reads the servers whatever this is.
   */
  known?: readonly Server[];
}

const CONCURRENCY = 4;

/**
 * Shows exactly what an operation would do, before anyone approves it: for each target its current and end
 * state, for a resize the current and new flavor (the bot checks that the new one is in the region's flavor
 * list, differs, and is neither sold out nor abandoned in the server's AZ; the API's own `dry_run` checks
 * only the request's parameters and format, 5.2.4) and whether it will be restarted, for a delete its disks
 * and EIPs and whether each is kept or released, and its HSS posture. Problems are classified as blocking or
 * warnings. Reads only (a `dry_run` resize changes nothing).
 */
export async function runPreflight(
  operation: Operation,
  targets: readonly { id: string; name?: string }[],
  params: FlowParameters,
  cloud: Pick<CloudClient, "ecs" | "hss">,
  options: PreflightOptions = {},
): Promise<Preflight> {
  const { ecs } = cloud;
  const signal = options.signal;
  const checks = options.flow
    ? options.flow.preflight.checks.map((c) => c.check)
    : [...CHECKS_OF_OPERATION[operation]];
  const has = (c: PreflightCheck) => checks.includes(c);
  const plan = options.flow ? callPlanOf(options.flow.steps) : DEFAULT_CALL_PLANS[operation];
  const checkedAt = (options.now ?? Date.now)();
  const global: PreflightProblem[] = [];

  const unique = [...new Map(targets.map((t) => [t.id, t])).values()];
  const known = new Map((options.known ?? []).map((s) => [s.id, s]));
  const reads: Map<string, ServerRead> = unique.every((t) => known.has(t.id))
    ? new Map(unique.map((t) => [t.id, { kind: "found", server: known.get(t.id)! }]))
    : await readServers(
        ecs,
        unique.map((t) => t.id),
        signal,
      );

  // Flavors: for a resize, to validate the new one and show its size; otherwise only to show the size of
  // a server whose record lacks it (the native listing carries it, Nova's single-server view does not).
  const sizesMissing = [...reads.values()].some(
    (r) => r.kind === "found" && (r.server.flavor.vcpus === undefined || r.server.flavor.ramMb === undefined),
  );
  let flavors: Map<string, Flavor> | undefined;
  if (unique.length > 0 && (operation === "resize" || sizesMissing)) {
    try {
      flavors = new Map((await ecs.listFlavors(undefined, signal)).map((f) => [f.id, f]));
    } catch (err) {
      if (!(err instanceof CloudError)) throw err;
      if (operation === "resize" && has("flavor_change_valid")) {
        global.push({
          severity: "warning",
          code: "flavors_unreadable",
          message: `the flavor list could not be read (${err.code}), so whether ${params.flavorRef ? `flavor ${params.flavorRef}` : "the new flavor"} exists is not checked (the dry run does not check it)`,
        });
      }
    }
  }
  const flavorInfo = (id: string, fromServer?: Server["flavor"]): FlavorInfo => {
    const f = flavors?.get(id);
    const info: FlavorInfo = { id };
    const vcpus = f?.vcpus ?? fromServer?.vcpus;
    const ramMb = f?.ramMb ?? fromServer?.ramMb;
    if (vcpus !== undefined) info.vcpus = vcpus;
    if (ramMb !== undefined) info.ramMb = ramMb;
    return info;
  };

  let flavorValid = true;
  if (operation === "resize" && has("flavor_change_valid")) {
    if (!params.flavorRef) {
      flavorValid = false;
      global.push({ severity: "blocking", code: "flavor_missing", message: "no new flavor given" });
    } else if (flavors && !flavors.has(params.flavorRef)) {
      flavorValid = false;
      global.push({
        severity: "blocking",
        code: "unknown_flavor",
        message: unknownFlavorMessage(params.flavorRef, flavors.keys()),
      });
    }
  }

  const out: PreflightTarget[] = unique.map((t) => {
    const read = reads.get(t.id);
    const name = read?.kind === "found" ? read.server.name : (t.name ?? t.id);
    const target: PreflightTarget = {
      id: t.id,
      name,
      found: read?.kind === "found",
      restart: false,
      problems: [],
    };
    const problem = (severity: PreflightProblem["severity"], code: PreflightProblemCode, message: string) =>
      target.problems.push({ severity, code, serverId: t.id, message });
    if (read === undefined || read.kind === "unreadable") {
      problem("blocking", "server_unreadable", `${name}: could not be read (${read?.code ?? "no answer"})`);
      return target;
    }
    if (read.kind === "not_found") {
      if (has("targets_exist")) problem("blocking", "server_not_found", `${name}: does not exist`);
      return target;
    }
    const s = read.server;
    target.current = {
      name: s.name,
      status: s.status,
      flavor: flavorInfo(s.flavor.id, s.flavor),
      tags: parseServerTags(s.tags),
      locked: s.locked === true,
    };
    if (s.taskState) target.current.taskState = s.taskState;
    // A task in progress (`REBOOT`, `powering-off`…) is said as such, once per server: `busy, a reboot is in progress`.
    const busy = taskInProgress(s.status, s.taskState);
    // In words (never the raw task state, unless we have no words for it); the view folds it into the line
    // that says to wait for the busy servers (`waitForTasksMessage`), but a scheduled run's skip lists it.
    const busyMessage = () => `${name} is busy with ${busyWith(s) ?? "a task"}`;
    const taskReported = has("no_task_in_progress") && Boolean(s.taskState);
    if (taskReported) problem("blocking", "task_in_progress", busyMessage());
    if (has("status_allows_operation")) {
      if (doneStatuses(operation).includes(s.status)) {
        problem("warning", "already_in_state", `${name}: already ${s.status}; it will be left out`);
      } else if (leftOutStatuses(operation).includes(s.status)) {
        problem("warning", "left_out", `${name}: is ${s.status}; it will be left out of the ${operation}`);
      } else if (busy !== undefined && !allowedStatuses(operation).includes(s.status)) {
        if (!taskReported) problem("blocking", "status_not_allowed", busyMessage());
      } else if (!allowedStatuses(operation).includes(s.status)) {
        problem(
          "blocking",
          "status_not_allowed",
          `${name} is ${statusInWords(s.status)}: ${describeAllowedStatuses(operation)}`,
        );
      }
    }
    if (has("lock_state")) {
      const problem = lockProblem(operation, name, s.locked === true);
      if (problem) target.problems.push({ ...problem, serverId: t.id });
    }
    const { calls, end } = planTarget(
      plan,
      { status: s.status, flavor: s.flavor.id, locked: s.locked === true, tags: target.current.tags },
      params,
    );
    target.planned = {
      calls,
      status: end.status,
      flavor: flavorInfo(end.flavor, end.flavor === s.flavor.id ? s.flavor : undefined),
    };
    if (RESTARTING.includes(operation)) {
      target.restart = calls.includes("ecs.batch_stop");
      if (target.restart) problem("warning", "will_restart", restartWarning(operation, name));
    }
    const starts = startWarning(operation, name, s.status, end.status);
    if (starts !== undefined) problem("warning", "will_start", starts);
    if (operation === "resize") {
      target.resize = {
        from: flavorInfo(s.flavor.id, s.flavor),
        to: flavorInfo(params.flavorRef ?? s.flavor.id),
        dryRun: "not_run",
      };
      if (has("flavor_change_valid") && params.flavorRef && s.flavor.id === params.flavorRef) {
        problem("blocking", "same_flavor", `${name}: already has flavor ${s.flavor.id}`);
      } else if (has("flavor_change_valid") && params.flavorRef && flavors) {
        const sale = checkFlavorSale({ name, server: s, flavorRef: params.flavorRef, flavors });
        if (sale && "refusal" in sale) problem("blocking", "flavor_not_sold", sale.refusal);
        else if (sale) target.resize.sale = sale.note;
      }
    }
    return target;
  });

  const found = out.filter((t) => t.found);

  if (operation === "resize" && has("resize_dry_run") && flavorValid && params.flavorRef) {
    const flavorRef = params.flavorRef;
    await forEachLimited(
      // Not a flavor the bot's check refused for the server's AZ: a dry run would tell nothing more.
      found.filter(
        (t) =>
          t.current?.flavor.id !== flavorRef &&
          !t.current?.taskState &&
          !t.problems.some((p) => p.code === "flavor_not_sold"),
      ),
      CONCURRENCY,
      (t) => runResizeDryRun(ecs, t, flavorRef),
    );
  }

  if (operation === "delete" && has("attached_resources")) {
    await forEachLimited(found, CONCURRENCY, (t) => {
      const server = (reads.get(t.id) as { kind: "found"; server: Server }).server;
      return checkAttachedResources(ecs, t, server, params, signal);
    });
  }

  const needs = await checkOperationNeeds({
    operation,
    params,
    has,
    found,
    reads,
    ecs,
    flavors,
    global,
    ...(signal !== undefined && { signal }),
  });

  if (has("hss_posture") && found.length > 0) {
    const hosts = await readHssHostsById(
      cloud.hss,
      found.map((t) => t.id),
      signal,
    );
    if (hosts instanceof CloudError) {
      for (const t of found) t.hss = { state: "unknown", reason: `${hosts.code}: ${hosts.message}` };
      global.push({
        severity: "warning",
        code: "hss_unavailable",
        message: `HSS could not be read (${hosts.code}); the security posture of the targets is unknown`,
      });
    } else {
      for (const t of found) {
        const h = hosts.get(t.id);
        t.hss = h ? posture(h) : { state: "not_registered" };
      }
    }
  }

  // Servers busy with a task in progress block it: what to do is to wait, said once (never "nothing to do").
  const busy = found.filter((t) =>
    t.problems.some(
      (p) =>
        p.severity === "blocking" &&
        (p.code === "task_in_progress" ||
          (p.code === "status_not_allowed" && taskInProgress(t.current!.status) !== undefined)),
    ),
  );
  if (busy.length > 0) {
    global.push({ severity: "blocking", code: "task_in_progress", message: waitForTasksMessage(busy) });
  } else if (
    found.length > 0 &&
    found.every((t) => t.planned?.calls.length === 0) &&
    // A server that blocks it says why; "nothing to do" beside it would read as if none had been found.
    ![...global, ...out.flatMap((t) => t.problems)].some((p) => p.severity === "blocking")
  ) {
    global.push({
      severity: "blocking",
      code: "nothing_to_do",
      message: nothingToDoMessage(operation, found),
    });
  }

  const all = [...global, ...out.flatMap((t) => t.problems)];
  const problems = [
    ...all.filter((p) => p.severity === "blocking"),
    ...all.filter((p) => p.severity === "warning"),
  ];
  return {
    operation,
    parameters: needs.parameters,
    checkedAt,
    checks,
    targets: out,
    ...(needs.quota !== undefined && { quota: needs.quota }),
    problems,
    blocking: problems.some((p) => p.severity === "blocking"),
    snapshot: found.map((t) => ({
      id: t.id,
      name: t.current!.name,
      status: t.current!.status,
      flavor: t.current!.flavor.id,
      tags: t.current!.tags,
      locked: t.current!.locked === true,
    })),
  };
}
