import { formatCount, plural } from "../render/escape-mrkdwn.js";
import {
  code,
  context,
  type ListField,
  type ListItem,
  list,
  md,
  type Part,
  type Span,
  section,
} from "../render/message-model.js";
import { formatRamMb } from "../views/format-values.js";
import { agentStatusWords, protectStatusWords } from "../views/hss-status-words.js";
import { busyByStatus, busyWith } from "./describe-busy-task.js";
import { formatFlavor } from "./format-flow-text.js";
import type { HssPosture, Preflight, PreflightProblem, PreflightTarget } from "./preflight-types.js";

const OPERATION_TITLES: Readonly<Record<Preflight["operation"], string>> = {
  start: "Start",
  stop: "Stop",
  reboot: "Reboot",
  resize: "Resize",
  delete: "Delete",
  tag: "Add tags to",
  untag: "Remove tags from",
  lock: "Lock",
  unlock: "Unlock",
  reinstall: "Reinstall the OS of",
  "change-os": "Change the OS of",
  attach: "Attach a disk to",
  detach: "Detach a disk from",
  migrate: "Migrate",
};

/** Warnings that say a check could not run or concluded nothing (never that something is wrong). */
const UNCONCLUDED: readonly PreflightProblem["code"][] = [
  "server_unreadable",
  "flavors_unreadable",
  "dry_run_inconclusive",
  "dry_run_unavailable",
  "attachments_unreadable",
  "hss_unavailable",
  "quota_unreadable",
  "key_pair_unreadable",
  "image_unreadable",
  "attach_dry_run_unavailable",
  "dedicated_host_unconfirmed",
];

/**
 * The preflight as message parts, for the approval card: a summary line, the blocking problems and
 * warnings, then one row per server with its current → end state, flavor change, disks and EIPs and HSS
 * posture. Pure. Every value from the cloud is rendered as untrusted text.
 */
export function preflightMessageParts(preflight: Preflight): Part[] {
  const parts: Part[] = [];
  const blocking = preflight.problems.filter((p) => p.severity === "blocking");
  const warnings = preflight.problems.filter((p) => p.severity === "warning");
  const title = OPERATION_TITLES[preflight.operation];
  // "All checks passed" only when every check concluded: a check that could not run (or whose answer says
  // nothing) is not a pass, and the approver should not read it as one.
  const verdict =
    blocking.length > 0
      ? md`:no_entry: cannot go ahead`
      : warnings.some((p) => UNCONCLUDED.includes(p.code))
        ? md`:white_check_mark: nothing found that blocks it, but some checks could not conclude`
        : md`:white_check_mark: all checks passed`;
  parts.push(
    section({
      text: md`*Preflight: ${title} ${plural(preflight.targets.length, "server")}* — ${verdict}${
        warnings.length > 0 ? md` (${plural(warnings.length, "warning")})` : md``
      }`,
    }),
  );
  if (blocking.length > 0) {
    const said = blocking.filter((p) => !saidByBusySummary(preflight, p));
    parts.push(section({ text: [...md`:no_entry: *Blocking*`, ...bullets(said.map((p) => p.message))] }));
    const refusals = cloudDetails(blocking);
    if (refusals.length > 0) parts.push(context(...refusals));
  }
  if (warnings.length > 0) {
    parts.push(section({ text: [...md`:warning: *Warnings*`, ...bullets(warnings.map((p) => p.message))] }));
  }
  parts.push(list(preflight.targets.map((t) => targetItem(preflight, t))));
  const p = preflight.parameters;
  const facts: Span[][] = [];
  if (p.keyName !== undefined) facts.push(md`key pair ${p.keyName} (no password)`);
  if (p.imageId !== undefined) facts.push(md`new image ${p.imageId}`);
  if (p.dedicatedHostId !== undefined) facts.push(md`to dedicated host ${p.dedicatedHostId}`);
  if (preflight.operation === "migrate" && p.dedicatedHostId === undefined)
    facts.push(md`back to the public resource pool`);
  const q = preflight.quota;
  if (q?.vcpus !== undefined || q?.ramMb !== undefined) {
    const figure = (
      label: string,
      f: { used: number; max: number; delta: number } | undefined,
      unit: (n: number) => string,
    ) =>
      f === undefined
        ? []
        : [md`${label}: ${unit(f.used)} of ${unit(f.max)} in use, this adds ${unit(f.delta)}`];
    facts.push(...figure("vCPU quota", q.vcpus, formatCount), ...figure("RAM quota", q.ramMb, formatRamMb));
  }
  if (facts.length > 0) parts.push(context(joinSpans(facts, " · ")));
  return parts;
}

function joinSpans(items: readonly Span[][], separator: string): Span[] {
  return items.flatMap((item, i) => (i === 0 ? item : [{ t: "plain" as const, v: separator }, ...item]));
}

/** Context elements a context block holds at most. */
const MAX_CONTEXT_ELEMENTS = 10;

/**
 * The cloud's error codes and request IDs behind the problems, as a cloud error shows them (for support):
 * `Error code: Ecs.0103`, `Request ID: …`; each once.
 */
function cloudDetails(problems: readonly PreflightProblem[]): Span[][] {
  const codes = new Set<string>();
  const requests = new Set<string>();
  for (const p of problems) {
    if (p.cloud === undefined) continue;
    codes.add(p.cloud.code);
    if (p.cloud.requestId !== undefined && p.cloud.requestId !== "") requests.add(p.cloud.requestId);
  }
  return [
    ...[...codes].map((c) => md`Error code: ${code(c)}`),
    ...[...requests].map((r) => md`Request ID: ${code(r)}`),
  ].slice(0, MAX_CONTEXT_ELEMENTS);
}

/**
 * A server's own "busy" problem when the preflight also has the line that says to wait for the busy servers
 * (`waitForTasksMessage`, which names each with its task): the Blocking list says it once.
 */
function saidByBusySummary(preflight: Preflight, p: PreflightProblem): boolean {
  if (p.serverId === undefined) return false;
  if (!preflight.problems.some((q) => q.code === "task_in_progress" && q.serverId === undefined))
    return false;
  if (p.code === "task_in_progress") return true;
  const t = preflight.targets.find((x) => x.id === p.serverId);
  return p.code === "status_not_allowed" && t?.current !== undefined && busyByStatus(t.current.status);
}

function bullets(lines: readonly string[]): Span[] {
  return lines.flatMap((line) => md`\n• ${line}`);
}

function targetItem(preflight: Preflight, t: PreflightTarget): ListItem {
  if (!t.found || !t.current) {
    return {
      title: md`${code(t.name)}`,
      subtitle: md`:no_entry: ${t.problems[0]?.message ?? "not found"}`,
    };
  }
  const fields: ListField[] = [];
  const end = t.planned;
  let subtitle: Span[];
  const busy = busyWith(t.current);
  const blocked = t.problems.some((p) => p.severity === "blocking");
  const busyRow = busy !== undefined && (blocked || end?.calls.length === 0);
  if (busyRow) {
    // Not "nothing to do": the server is in the middle of something; the Blocking list says to wait. The
    // status is beside the name already: said once.
    subtitle = md`busy with ${busy}`;
  } else if (end && end.calls.length === 0) {
    // Blocked (the reason is under Blocking) is not "nothing to do": only a target left out is.
    subtitle = blocked ? [] : md`${t.current.status}: nothing to do, left out`;
  } else if (preflight.operation === "resize" && t.resize) {
    subtitle = md`${formatFlavor(t.resize.from)} → ${formatFlavor(t.resize.to)}${
      t.restart ? md` · stopped, resized and started again` : md` · stays ${t.current.status}`
    }`;
    fields.push(
      { label: "Flavor check", value: flavorCheckText(preflight, t) },
      { label: "Dry run", value: dryRunText(t.resize) },
    );
  } else if (blocked || end?.status === t.current.status) {
    // Blocked, nothing runs; a tag, lock or disk change leaves the status as it is: the status once (the row's,
    // beside the name), never "SHUTOFF → SHUTOFF".
    subtitle = [];
  } else if (preflight.operation === "reboot") {
    subtitle = md`${t.current.status} → restarted → ${end?.status ?? "?"}${
      preflight.parameters.hard === true ? md` (hard)` : md``
    }`;
  } else {
    subtitle = md`${t.current.status} → ${end?.status ?? "?"}`;
  }
  if (t.attached) {
    if ("unknown" in t.attached) {
      fields.push({ label: "Disks", value: md`unknown (${t.attached.unknown})` });
    } else {
      const disks = t.attached.volumes.map(
        (v) => `${v.device ?? v.id} ${v.system ? "system" : "data"}: ${v.fate}`,
      );
      fields.push({ label: "Disks", value: disks.length > 0 ? disks.join("; ") : "none" });
      if (preflight.operation === "delete") {
        const eips = t.attached.eips.map((e) => `${e.address}: ${e.fate}`);
        fields.push({ label: "EIPs", value: eips.length > 0 ? eips.join("; ") : "none" });
      }
    }
  }
  if (t.tagChange) {
    const change = [...t.tagChange.added.map((a) => `+${a}`), ...t.tagChange.removed.map((r) => `−${r}`)];
    fields.push({ label: "Tags", value: change.length > 0 ? change.join(" ") : "unchanged" });
  }
  if (t.volume) {
    const kind = t.volume.system === undefined ? "" : t.volume.system ? " (system disk)" : " (data disk)";
    fields.push({
      label: "Disk",
      value: `${t.volume.id}${t.volume.device ? ` as ${t.volume.device}` : ""}${kind}`,
    });
  }
  if (t.hss) fields.push({ label: "HSS", value: hssText(t.hss) });
  const marks: Span[][] = subtitle.length > 0 ? [subtitle] : [];
  if (t.current.locked === true) marks.push(md`:lock: locked`);
  // The Blocking list above says what is wrong in full; the row says it in a few words (a busy server's row
  // says already what it is busy with).
  if (blocked) marks.push(busyRow ? md`:no_entry: blocked` : md`:no_entry: blocked: ${blockedWords(t)}`);
  const line = joinSpans(marks, " · ");
  return {
    status: t.current.status,
    title: md`${code(t.name)}`,
    ...(line.length > 0 && { subtitle: line }),
    fields,
  };
}

/** A server's blocking problems in a few words, for its row; in full in the Blocking list. */
const BLOCKED_WORDS: Partial<Record<PreflightProblem["code"], string>> = {
  server_locked: "it is locked",
  status_not_allowed: "its status does not allow it",
  task_in_progress: "a task is in progress",
  same_flavor: "it has that flavor already",
  flavor_not_sold: "the flavor is not sold in its AZ",
  dry_run_rejected: "Huawei Cloud refuses the resize",
  too_many_tags: "too many tags",
  no_key_pair: "it has no key pair",
  key_pair_not_found: "its key pair no longer exists",
  no_system_disk: "it has no system disk",
  volume_already_attached: "the disk is attached already",
  attach_rejected: "Huawei Cloud refuses the attach",
  attachments_unreadable: "its disks could not be read",
  volume_not_attached: "the disk is not attached to it",
  system_disk_detach: "the disk is its system disk",
  migration_needs_host: "it needs --dedicated-host",
  same_dedicated_host: "it is on that host already",
};

function blockedWords(t: PreflightTarget): string {
  const words = t.problems.flatMap((p) =>
    p.severity === "blocking" ? [BLOCKED_WORDS[p.code] ?? "see Blocking above"] : [],
  );
  return [...new Set(words)].join("; ");
}

/** Problems that are the bot's own flavor check failing; the Blocking list says which. */
const FLAVOR_REFUSALS: readonly PreflightProblem["code"][] = [
  "flavor_missing",
  "unknown_flavor",
  "same_flavor",
  "flavor_not_sold",
];

/**
 * The bot's own check of the new flavor (in the region's flavor list, not the server's current one), in
 * words: never the cloud's dry run, which checks only the request's parameters and format (5.2.4).
 */
function flavorCheckText(preflight: Preflight, t: PreflightTarget): Span[] {
  if (!preflight.checks.includes("flavor_change_valid")) return md`not checked`;
  const refused = preflight.problems.some(
    (p) => FLAVOR_REFUSALS.includes(p.code) && (p.serverId === undefined || p.serverId === t.id),
  );
  if (refused) return md`failed (the reason is under Blocking)`;
  if (preflight.problems.some((p) => p.code === "flavors_unreadable"))
    return md`not checked (the flavor list could not be read)`;
  const sale = t.resize?.sale;
  if (sale) {
    // Sold, so not refused; but not plainly on sale, which the approver should read.
    const how =
      sale.sale === "open_beta"
        ? md`in open beta in ${sale.availabilityZone} (${sale.status})`
        : md`sale status ${sale.status} in ${sale.availabilityZone}, unknown to the bot (not refused)`;
    return md`in the region's flavor list, ${how}, differs from the current one (the bot's own check)`;
  }
  return md`in the region's flavor list, differs from the current one (the bot's own check)`;
}

/** What Huawei Cloud's resize `dry_run` said, in words, claiming no more than it checks (5.2.4). */
function dryRunText(resize: NonNullable<PreflightTarget["resize"]>): Span[] {
  switch (resize.dryRun) {
    case "passed":
      return md`accepted by Huawei Cloud (it checks only the request's parameters and format)`;
    case "inconclusive":
      return md`inconclusive (refused for a running server); not run again after the stop`;
    case "rejected":
      return md`refused by Huawei Cloud (the reason is under Blocking)`;
    case "unavailable":
      return md`could not run: ${resize.dryRunMessage ?? ""}`;
    case "not_run":
      return md`not run`;
  }
}

function hssText(h: HssPosture): Span[] {
  if (h.state === "unknown") return md`unknown (HSS unavailable)`;
  if (h.state === "not_registered") return md`not protected by HSS (no agent)`;
  const risks = `${h.vulnerability ?? "?"} vuln, ${h.baseline ?? "?"} baseline, ${h.intrusion ?? "?"} intrusion`;
  const agent = h.agentStatus === undefined ? "unknown" : agentStatusWords(h.agentStatus);
  const protect = h.protectStatus === undefined ? "unknown" : protectStatusWords(h.protectStatus);
  return md`agent ${agent} · protection ${protect} · risks: ${risks}`;
}

/** The HSS posture of a server in a few words, or undefined when there is none. */
export function hssSummary(h: HssPosture | undefined): Span[] | undefined {
  return h === undefined ? undefined : hssText(h);
}

/** Disks or EIPs named in a line, at most; the rest are counted ("and 3 more"). */
const MAX_NAMED_RESOURCES = 5;

/** The data disks and EIPs of some targets, each named as untrusted code (they come from the cloud). */
interface NamedResources {
  disks: Span[][];
  eips: Span[][];
}

/**
 * The data disks and EIPs of a delete's targets that are deleted or released with them (`kept` false) or kept
 * (`kept` true), as the preflight read them. The system disk always goes with its server: never named. A
 * target whose disks could not be read names nothing (its warning says so). The server is named beside each
 * one when they come from more than one server.
 */
function attachedResources(targets: readonly PreflightTarget[], kept: boolean): NamedResources {
  const read = targets.flatMap((t) =>
    t.attached !== undefined && !("unknown" in t.attached) ? [{ name: t.name, ...t.attached }] : [],
  );
  const many = read.length > 1;
  const disks: Span[][] = [];
  const eips: Span[][] = [];
  for (const t of read) {
    for (const v of t.volumes) {
      if (v.system || (v.fate === "kept") !== kept) continue;
      const where = [
        ...(v.device !== undefined ? [[code(v.device)]] : []),
        ...(many ? [md`on ${t.name}`] : []),
      ];
      disks.push(where.length > 0 ? md`${code(v.id)} (${joinSpans(where, " ")})` : md`${code(v.id)}`);
    }
    for (const e of t.eips)
      if ((e.fate === "kept") === kept)
        eips.push(many ? md`${code(e.address)} (on ${t.name})` : md`${code(e.address)}`);
  }
  return { disks, eips };
}

/** `data disk \`a\` (\`/dev/vdb\`)` or `3 data disks: \`a\` …, \`b\` … and 1 more`; undefined for none. */
function namedCount(noun: string, items: readonly Span[][]): Span[] | undefined {
  if (items.length === 0) return undefined;
  if (items.length === 1) return md`${noun} ${items[0]!}`;
  const named = joinSpans(items.slice(0, MAX_NAMED_RESOURCES), ", ");
  const more = items.length - MAX_NAMED_RESOURCES;
  return md`${plural(items.length, noun)}: ${named}${more > 0 ? md` and ${String(more)} more` : md``}`;
}

/** The disks, then the EIPs, each named and counted: `data disk \`a\` (\`/dev/vdb\`) · EIP \`1.2.3.4\``. */
function describeResources(r: NamedResources): Span[] | undefined {
  const parts = [namedCount("data disk", r.disks), namedCount("EIP", r.eips)].filter((p) => p !== undefined);
  return parts.length > 0 ? joinSpans(parts, " · ") : undefined;
}

/**
 * The data disks and EIPs a delete keeps, of these targets, named (the first few, then counted), or undefined
 * when it keeps none: they stay, unattached, and are still billed. For the card and for the summary after the
 * run (of the servers it deleted).
 */
export function describeKeptResources(targets: readonly PreflightTarget[]): Span[] | undefined {
  return describeResources(attachedResources(targets, true));
}

/**
 * A delete's data disks and EIPs by fate, for its card: those deleted or released with the servers, and those
 * kept (still billed), each named (the first few, then counted) as the preflight read them. No line for a fate
 * nothing has, and none for other operations.
 */
export function describeDeleteFates(preflight: Preflight): Span[][] {
  if (preflight.operation !== "delete") return [];
  const gone = attachedResources(preflight.targets, false);
  const lines: Span[][] = [];
  const deleted = namedCount("data disk", gone.disks);
  const released = namedCount("EIP", gone.eips);
  if (deleted !== undefined || released !== undefined) {
    lines.push([
      ...md`:wastebasket: `,
      ...joinSpans(
        [
          ...(deleted !== undefined ? [md`*Deleted too:* ${deleted}`] : []),
          ...(released !== undefined ? [md`*Released too:* ${released}`] : []),
        ],
        " · ",
      ),
    ]);
  }
  const kept = describeKeptResources(preflight.targets);
  if (kept !== undefined) lines.push(md`:package: *Kept* (still billed): ${kept}`);
  return lines;
}
