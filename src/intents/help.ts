import { ECS_HELP, TARGETS_NOTE } from "./ecs-help.js";
import type { IntentAction } from "./intent-action.js";
import {
  type Command,
  type HelpTopic,
  HSS_AGENT_STATUSES,
  HSS_PROTECT_STATUSES,
  HSS_VERSIONS,
  MAX_AUDIT_ENTRIES,
} from "./intent-schema.js";

/**
 * Help content per command and verb, as renderer-neutral data. The usage lines here are also the ones
 * the parser attaches to its errors, so they cannot drift apart.
 */

/** Help for one topic. Plain text; inline code is marked with backticks, nothing else. */
export interface HelpText {
  title: string;
  usage: string[];
  examples: string[];
  notes: string[];
  /**
   * Command overviews only: every verb by kind (read, change, destructive), each line its usage and what
   * the shipped policy decides about it.
   */
  kinds?: { kind: VerbKind; title: string; lines: string[] }[];
  /**
   * The first screen of a command's help (`/ecs help`): its most used verbs, each as one example and what the verb
   * does; the whole reference (`kinds`) is then behind `/ecs help all`.
   */
  common?: { example: string; summary: string }[];
}

/** What a verb does to the cloud: nothing, a change that can be undone, or one that destroys data. */
export type VerbKind = "read" | "change" | "destructive";

const KIND_TITLES: Readonly<Record<VerbKind, string>> = {
  read: "Read (changes nothing)",
  change: "Change",
  destructive: "Destructive (cannot be undone)",
};

/** What the live policy says about an action for the caller, if the caller knows. */
export type PolicyVerdict = "allowed" | "needs approval" | "denied";

/**
 * The live policy on an action for the caller, on servers no rule singles out (`verdict`), and the rules that
 * decide otherwise for some servers by their tags or names (`serverRules`: e.g. one more approval on
 * `env=prod`), which a verdict without servers cannot tell.
 */
export interface PolicyDescription {
  verdict: PolicyVerdict;
  serverRules: readonly string[];
}
export type DescribePolicy = (action: IntentAction) => PolicyDescription | undefined;

export interface VerbHelp {
  summary: string;
  usage: string[];
  examples: string[];
  notes: string[];
  /** The action of the intent this verb produces (absent for `help`). */
  action?: IntentAction;
  /** Absent for `help`. */
  kind?: VerbKind;
  /** What the shipped policy (`flows/policy.yml`) decides, in words (absent for `help`). */
  shipped?: string;
  /** Whether the verb's own help says what the policy decides (every change, and reads the policy restricts). */
  policyNote?: boolean;
}

export interface CommandHelp {
  title: string;
  verbs: Readonly<Record<string, VerbHelp>>;
  notes: string[];
  /**
   * The verbs most used, in the order the first screen of `/<command> help` shows them (6 to 8); absent when the
   * whole reference is short enough to be the first screen.
   */
  common?: readonly string[];
}

const HELP: Readonly<Record<Command, CommandHelp>> = {
  ecs: ECS_HELP,
  hss: {
    title: "/hss: Host Security Service",
    notes: ["Type `/hss help <verb>` for details."],
    verbs: {
      hosts: {
        summary: "List hosts and their HSS protection.",
        usage: [
          "/hss hosts [agent=<status>] [protect=<status>] [risk] [os=Linux|Windows] [version=<edition>] [group=<group>]",
        ],
        examples: ["/hss hosts", "/hss hosts agent=offline", "/hss hosts risk os=Linux protect=closed"],
        notes: [
          `agent is one of ${HSS_AGENT_STATUSES.join(", ")}.`,
          `protect is one of ${HSS_PROTECT_STATUSES.join(", ")}.`,
          `version is one of ${HSS_VERSIONS.join(", ")} (the last part alone, e.g. \`enterprise\`, works too).`,
          "`risk` shows only hosts with risks.",
        ],
        action: "hss:hosts:list",
        kind: "read",
        shipped: "allowed",
      },
      ports: {
        summary: "List a host's open ports.",
        usage: ["/hss ports <server> [danger] [tcp|udp]"],
        examples: ["/hss ports db-02", "/hss ports db-02 danger tcp"],
        notes: ["`danger` shows only ports HSS flags as dangerous."],
        action: "hss:ports:list",
        kind: "read",
        shipped: "allowed",
      },
      scan: {
        summary: "List recent vulnerability scan tasks, or show the hosts of one.",
        usage: ["/hss scan", "/hss scan <task_id> [status=failed|success|scanning]"],
        examples: ["/hss scan", "/hss scan 4e1b0a7c status=failed"],
        notes: [],
        action: "hss:scanTasks:get",
        kind: "read",
        shipped: "allowed",
      },
      help: {
        summary: "Show this help.",
        usage: ["/hss help [<verb>]"],
        examples: ["/hss help", "/hss help ports"],
        notes: [],
      },
    },
  },
  ops: {
    title: "/ops: the bot itself",
    notes: ["Cloud commands: `/ecs help`, `/hss help`."],
    verbs: {
      help: {
        summary: "Show help for any command.",
        usage: ["/ops help [ecs|hss|ops] [<verb>]"],
        examples: ["/ops help", "/ops help ecs stop"],
        notes: [],
        action: "ops:help",
        kind: "read",
        shipped: "allowed",
      },
      policy: {
        summary: "Explain what the policy says about a command, without running it.",
        usage: ["/ops policy explain <command line>"],
        examples: [
          "/ops policy explain ecs delete web-03",
          "/ops policy explain /ecs stop tag:env=prod --hard",
        ],
        notes: ["The leading `/` of the explained command is optional."],
        action: "ops:policy:explain",
        kind: "read",
        shipped: "allowed",
      },
      jobs: {
        summary: "List the bot's runs: running now, scheduled and recent (a Huawei Cloud job: `/ecs job`).",
        usage: ["/ops jobs"],
        examples: ["/ops jobs"],
        notes: [],
        action: "ops:jobs:list",
        kind: "read",
        shipped: "allowed",
      },
      approvals: {
        summary: "List requests waiting for approval.",
        usage: ["/ops approvals"],
        examples: ["/ops approvals"],
        notes: [],
        action: "ops:approvals:list",
        kind: "read",
        shipped: "allowed",
      },
      calendar: {
        summary: "Show the freezes and maintenance windows in force now and the next ones.",
        usage: ["/ops calendar"],
        examples: ["/ops calendar"],
        notes: ["Schedule a change into a window with `--window <name>`, or at a time with `--at 22:30`."],
        action: "ops:calendar:list",
        kind: "read",
        shipped: "allowed",
      },
      audit: {
        summary: "Show the audit log, optionally for one server, user or request.",
        usage: [
          "/ops audit [<server>|@user|<request-id>] [<n>] [--before <entry>]",
          "/ops audit verify",
          "/ops audit break-glass",
        ],
        examples: [
          "/ops audit",
          "/ops audit web-01 20",
          "/ops audit @alice",
          "/ops audit apr_3k0IumKsfxN2SQBoVreoVg",
          "/ops audit web-01 60 --before 4521",
          "/ops audit verify",
          "/ops audit break-glass",
        ],
        notes: [
          `<n> is the number of entries, 1 to ${MAX_AUDIT_ENTRIES}: as many as fit in one message are shown, newest first.`,
          "`--before <entry>` goes back in time: the entries older than that one (`#4521` on the view); its *Older entries* button does the same.",
          "`verify` checks that no entry was changed or deleted since it was written (a server named verify: give its ID).",
        ],
        action: "ops:audit:list",
        kind: "read",
        shipped: "allowed for @ops-approvers and @sre only",
      },
      watch: {
        summary: "List watched servers.",
        usage: ["/ops watch list"],
        examples: ["/ops watch list"],
        notes: [],
        action: "ops:watch:list",
        kind: "read",
        shipped: "allowed",
      },
      schedule: {
        summary: "Run a command that changes servers on a recurring schedule (cron), after approval.",
        usage: [
          '/ops schedule add "<cron>" [tz=<zone>] <command line>',
          "/ops schedule list",
          "/ops schedule pause|resume|delete <id>",
        ],
        examples: [
          '/ops schedule add "0 19 * * 1-5" tz=Europe/Paris /ecs stop tag:env=dev',
          "/ops schedule list",
          "/ops schedule pause sch_4kq2m9x1",
        ],
        notes: [
          "The cron expression has 5 fields (minute hour day-of-month month day-of-week) and goes in quotes; the zone is an IANA name (default UTC).",
          "Creating a schedule is approved like its command run by you, and at least as strictly as the policy's rule for schedules. Each run finds its servers again and is checked by the policy then; a run the policy would now deny or ask approval for, or with more servers than approved, is skipped and reported in the channel.",
          "Pause, resume and delete: the schedule's owner or one of its approvers (by their groups now), when the policy allows it (shipped: it does).",
        ],
        action: "ops:schedule:create",
        kind: "change",
        shipped: "needs approval (at least as its command would)",
      },
    },
  },
};

/** The verbs of a command, in help order. */
export function verbsOf(command: Command): string[] {
  return Object.keys(HELP[command].verbs);
}

function verbHelp(command: Command, verb: string): VerbHelp | undefined {
  const verbs = HELP[command].verbs;
  return Object.hasOwn(verbs, verb) ? verbs[verb] : undefined;
}

/** Usage line(s) for a verb (newline-separated), or every verb's first usage line for the command. */
export function usageFor(command: Command, verb?: string): string {
  const entry = verb === undefined ? undefined : verbHelp(command, verb);
  if (entry) return entry.usage.join("\n");
  return verbsOf(command)
    .map((v) => HELP[command].verbs[v]?.usage[0] ?? "")
    .join("\n");
}

const VERDICT_TEXT: Readonly<Record<PolicyVerdict, string>> = {
  allowed: "allowed without approval",
  "needs approval": "needs approval before it runs",
  denied: "denied",
};

/** What the verb's help says about the policy: the shipped decision, and the live one when known. */
function policyNotes(entry: VerbHelp, describe: DescribePolicy | undefined): string[] {
  const says = entry.kind === "change" || entry.kind === "destructive" || entry.policyNote === true;
  if (!says || entry.action === undefined || entry.shipped === undefined) return [];
  let live: PolicyDescription | undefined;
  try {
    live = describe?.(entry.action);
  } catch {
    // Help must render even if the live policy cannot be consulted: the shipped decision is still said.
    live = undefined;
  }
  const shipped = `Shipped policy: ${entry.shipped}.`;
  if (live === undefined || !Object.hasOwn(VERDICT_TEXT, live.verdict)) return [shipped];
  const verdict = VERDICT_TEXT[live.verdict];
  if (live.serverRules.length === 0) return [`Current policy: ${verdict}.`, shipped];
  const rules = live.serverRules.map((id) => `\`${id}\``).join(", ");
  return [
    `Current policy, on servers no rule singles out: ${verdict}. Rules on servers' tags or names decide otherwise for some (${rules}): \`/ops policy explain <command line>\` tells for yours.`,
    shipped,
  ];
}

const KIND_ORDER: readonly VerbKind[] = ["read", "change", "destructive"];

/**
 * Help for a topic: a verb's usage, examples and notes (plus, for verbs that change something or that the
 * policy restricts, what the shipped policy decides and, from `describe` when given, the live one), or a
 * command overview: its first screen (its most used verbs, {@link CommandHelp.common}) unless `topic.all` or it has
 * none, else every verb by kind with its shipped policy. An unknown verb yields the overview.
 */
export function helpFor(topic: HelpTopic, describe?: DescribePolicy): HelpText {
  const command = HELP[topic.command];
  const entry = topic.verb === undefined ? undefined : verbHelp(topic.command, topic.verb);
  if (entry && topic.verb !== undefined) {
    return {
      title: `/${topic.command} ${topic.verb}: ${entry.summary}`,
      usage: [...entry.usage],
      examples: [...entry.examples],
      notes: [
        ...entry.notes,
        ...(entry.usage.some((u) => u.includes("<targets…>")) ? [TARGETS_NOTE] : []),
        ...policyNotes(entry, describe),
      ],
    };
  }
  const verbs = verbsOf(topic.command);
  if (topic.all !== true && command.common !== undefined) return firstScreen(topic.command, command);
  const kinds = KIND_ORDER.map((kind) => ({
    kind,
    title: KIND_TITLES[kind],
    lines: verbs.flatMap((v) => {
      const e = command.verbs[v];
      if (e?.kind !== kind) return [];
      return [`${e.usage.map((u) => `\`${u}\``).join(" · ")} — ${e.shipped ?? "allowed"}`];
    }),
  })).filter((k) => k.lines.length > 0);
  return {
    title: command.title,
    usage: verbs.map((v) => command.verbs[v]?.usage[0] ?? ""),
    examples: verbs
      .flatMap((v) => command.verbs[v]?.examples.slice(0, 1) ?? [])
      .filter((e) => !e.includes(" help")),
    notes: [...command.notes, "After each command: what the shipped policy (`flows/policy.yml`) decides."],
    kinds,
  };
}

/**
 * The first screen of a command's help: its most used verbs, one example each (the first that names something to
 * act on) and what the verb does, then how to get help on one verb and the whole reference. From the same entries
 * as the reference, so neither drifts from the grammar.
 */
function firstScreen(name: Command, command: CommandHelp): HelpText {
  const verbs = verbsOf(name);
  const common = (command.common ?? []).flatMap((verb) => {
    const entry = verbHelp(name, verb);
    if (entry === undefined) return [];
    const example = entry.examples.find((e) => e.trim() !== `/${name} ${verb}`) ?? entry.examples[0];
    return example === undefined ? [] : [{ example, summary: entry.summary }];
  });
  // The help verb's own example of help on one verb (`/ecs help stop`).
  const oneVerb =
    command.verbs.help?.examples.find((e) => /^\/\S+ help (?!all$)\S+$/.test(e)) ?? `/${name} help <verb>`;
  return {
    title: command.title,
    usage: verbs.map((v) => command.verbs[v]?.usage[0] ?? ""),
    examples: [],
    notes: [
      `One verb's usage, examples and policy: \`${oneVerb}\` (or \`/${name} <verb> help\`). Every verb, its flags and what the policy decides: \`/${name} help all\`.`,
    ],
    common,
  };
}

/** The kind of each verb of a command (for tests and the README's table). */
export function verbKindOf(command: Command, verb: string): VerbKind | undefined {
  return verbHelp(command, verb)?.kind;
}

/** What the shipped policy decides about a verb, in words. */
export function shippedPolicyOf(command: Command, verb: string): string | undefined {
  return verbHelp(command, verb)?.shipped;
}
