import type { PolicyDecision } from "../policy/types.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  code,
  context,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { doneStatuses, leftOutStatuses } from "../workflow/operation-rules.js";
import { preflightMessageParts } from "../workflow/preflight-message-parts.js";
import type { Preflight } from "../workflow/preflight-types.js";
import type { NarrowedCommand } from "./narrow-blocked-command.js";

/** What the operation does, as a participle: `2 of 3 servers can be rebooted`. */
const DONE_WORDS: Readonly<Record<Preflight["operation"], string>> = {
  start: "started",
  stop: "stopped",
  reboot: "rebooted",
  resize: "resized",
  delete: "deleted",
  tag: "tagged",
  untag: "untagged",
  lock: "locked",
  unlock: "unlocked",
  reinstall: "reinstalled",
  "change-os": "given a new OS",
  attach: "given the disk",
  detach: "rid of the disk",
  migrate: "migrated",
};

/** Servers in ERROR named in the next steps at most. */
const MAX_NAMED_NEXT = 3;

/**
 * The preflight found something that stops the request: nothing is asked or done. Every server left out (a stop
 * of a stopped server) is one line, nothing to do. Otherwise the problems, then what the requester can do: see
 * the fault of a server in ERROR; for a selection only some of whose servers block it, the same command naming
 * the others (`narrowed`, from {@link narrowBlockedCommand}), never run by the bot. Pure.
 */
export function buildPreflightRefusalView(
  commandLine: string,
  preflight: Preflight,
  narrowed?: NarrowedCommand,
): Message {
  const blocking = preflight.problems.filter((p) => p.severity === "blocking");
  const nothing = blocking.length === 1 && blocking[0]?.code === "nothing_to_do" ? blocking[0] : undefined;
  if (nothing !== undefined && everyOneLeftOutByStatus(preflight)) {
    // Its status says it all: the warnings and the rows would only say it again.
    const text = md`:information_source: ${nothing.message}.`;
    return { text, blocks: [section({ text })] };
  }
  const steps = [...errorSteps(preflight)];
  if (narrowed !== undefined) {
    steps.push(
      md`${String(narrowed.servers)} of ${plural(narrowed.of, "server")} can be ${DONE_WORDS[preflight.operation]}: this names them and only them (nothing runs until you send it): ${code(narrowed.command)}`,
    );
  }
  const blocks: Part[] = [
    section({
      text: md`:no_entry: *Cannot go ahead:* ${code(commandLine)} — the preflight found blocking problems.`,
    }),
    ...preflightMessageParts(preflight),
    ...steps.map((step) => section({ text: md`:point_right: ${step}` })),
    context(
      steps.length > 0
        ? md`Nothing was requested or done.`
        : md`Nothing was requested or done. Fix the problems above and run the command again.`,
    ),
  ];
  return { text: md`Cannot go ahead: the preflight found blocking problems`, blocks };
}

/** Every server found is left out by its status (already stopped, stopped in a reboot): nothing else to say. */
function everyOneLeftOutByStatus(preflight: Preflight): boolean {
  const statuses = [...doneStatuses(preflight.operation), ...leftOutStatuses(preflight.operation)];
  return preflight.targets.every(
    (t) => t.found && t.current !== undefined && statuses.includes(t.current.status),
  );
}

/**
 * For servers blocked by being in ERROR: where to see why (its fault, what was done to it), and what Huawei
 * Cloud accepts of such a server, claiming no more than its API says (5.2.1, 5.2.2: a reinstall or change of OS
 * only after a failed one; its error code Ecs.1001: "The ECS is abnormal … Contact technical support").
 */
function errorSteps(preflight: Preflight): Span[][] {
  const failed = preflight.targets.filter(
    (t) =>
      t.current?.status === "ERROR" &&
      t.problems.some((p) => p.severity === "blocking" && p.code === "status_not_allowed"),
  );
  if (failed.length === 0) return [];
  const shown = failed.slice(0, MAX_NAMED_NEXT);
  const more = failed.length - shown.length;
  const commands = (verb: string) => [
    ...shown.map((t) => [code(`/ecs ${verb} ${t.name}`)]),
    ...(more > 0 ? [md`(and ${String(more)} more)`] : []),
  ];
  const one = failed.length === 1;
  return [
    md`${joinSpans(commands("show"), ", ")} ${one ? "shows its fault" : "show their faults"}, ${joinSpans(commands("actions"), ", ")} what was done to ${one ? "it" : "them"}.`,
    md`A server in ERROR is reinstalled or given a new OS by Huawei Cloud only when a reinstall or change of OS is what failed; otherwise recover it outside the bot (for an ECS left abnormal, Huawei Cloud says to contact its technical support).`,
  ];
}

function joinSpans(items: readonly Span[][], separator: string): Span[] {
  return items.flatMap((item, i) => (i === 0 ? item : [{ t: "plain" as const, v: separator }, ...item]));
}

/** A `resize --dry-run`: the preflight (which runs the API's dry run) and what a real resize would need. Pure. */
export function buildDryRunView(
  commandLine: string,
  preflight: Preflight,
  decision: PolicyDecision,
): Message {
  const verdict =
    decision.effect === "allow"
      ? md`a real resize would run without approval`
      : decision.effect === "needs_approval"
        ? md`a real resize would need ${plural(decision.approval.minApprovals, "approval")}`
        : md`a real resize would be denied`;
  const blocks: Part[] = [
    section({ text: md`:mag: *Dry run:* ${code(commandLine)} — nothing was changed; ${verdict}.` }),
    ...preflightMessageParts(preflight),
  ];
  if (decision.rules.length > 0)
    blocks.push(context(...decision.rules.slice(0, 10).map((r) => md`${code(r.id)} ${r.description}`)));
  return { text: md`Dry run: nothing was changed`, blocks };
}

/**
 * Placeholder root message, posted first to prove the bot can post here before anything is created. For a
 * request that needs approval it already names the approvers (mentions notify on a new message, not on the
 * edit that turns it into the card).
 */
export function buildPreparingView(
  commandLine: string,
  approval?: { requesterId: string; minApprovals: number; approvers: Span[] },
): Message {
  if (approval === undefined) {
    return {
      text: md`Preparing ${commandLine}`,
      blocks: [section({ text: md`:hourglass_flowing_sand: Preparing ${code(commandLine)}…` })],
    };
  }
  const text = md`:raising_hand: ${userMention(approval.requesterId)} asks ${approval.approvers} for ${plural(approval.minApprovals, "approval")}: ${code(commandLine)}`;
  return { text, blocks: [section({ text })] };
}

/** The root message when the request could not be recorded after it was posted. */
export function buildNotRecordedView(commandLine: string): Message {
  return {
    text: md`Could not record ${commandLine}`,
    blocks: [section({ text: md`:x: ${code(commandLine)} could not be recorded; nothing was done.` })],
  };
}
