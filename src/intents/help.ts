import type { IntentAction } from "./intent-action.js";
import {
  type Command,
  ECS_STATUSES,
  type HelpTopic,
  HSS_AGENT_STATUSES,
  HSS_PROTECT_STATUSES,
  HSS_VERSIONS,
  MAX_AUDIT_ENTRIES,
  MAX_TARGETS,
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
}

/** What the live policy says about an action for the caller, if the caller knows. */
export type PolicyVerdict = "allowed" | "needs approval" | "denied";
export type DescribePolicy = (action: IntentAction) => PolicyVerdict | undefined;

interface VerbHelp {
  summary: string;
  usage: string[];
  examples: string[];
  notes: string[];
  /** The action of the intent this verb produces (absent for `help`). */
  action?: IntentAction;
  /** For mutating verbs: what approval is typically required when the live policy is not described. */
  typicalApproval?: string;
}

interface CommandHelp {
  title: string;
  verbs: Readonly<Record<string, VerbHelp>>;
  notes: string[];
}

const TARGETS_NOTE =
  "`<targets…>`: server names, IDs, IP addresses or `tag:key=value` selectors, separated by spaces or commas. " +
  `Quote names with spaces: \`"ops box 1"\`. At most ${MAX_TARGETS} targets.`;

const HELP: Readonly<Record<Command, CommandHelp>> = {
  ecs: {
    title: "/ecs: Elastic Cloud Servers",
    notes: [TARGETS_NOTE, "Type `/ecs help <verb>` or `/ecs <verb> help` for details."],
    verbs: {
      list: {
        summary: "List servers, optionally filtered.",
        usage: [
          "/ecs list [name=<text>] [status=<status>] [flavor=<flavor>] [ip=<ip>] [tag=<key>=<value> …]",
        ],
        examples: ["/ecs list", "/ecs list status=SHUTOFF", "/ecs list name=web tag=env=prod tag=team=core"],
        notes: [
          `status is one of ${ECS_STATUSES.join(", ")}.`,
          "name and ip match partially; every tag must match. `tag:key=value` works too.",
        ],
        action: "ecs:servers:list",
      },
      show: {
        summary: "Show one server's details.",
        usage: ["/ecs show <server>"],
        examples: ["/ecs show web-01", "/ecs show 10.0.0.12"],
        notes: ["`<server>` is a name, an ID or an IP address."],
        action: "ecs:servers:get",
      },
      flavors: {
        summary: "List flavors (instance types).",
        usage: ["/ecs flavors [az=<zone>] [min-vcpus=<n>] [min-ram=<MiB>]"],
        examples: ["/ecs flavors", "/ecs flavors az=cn-north-4a min-vcpus=4 min-ram=8192"],
        notes: ["min-ram is in MiB; `8G` / `8GiB` are accepted and converted."],
        action: "ecs:flavors:list",
      },
      job: {
        summary: "Show the status of an ECS job.",
        usage: ["/ecs job <job_id>"],
        examples: ["/ecs job ff80808288d41e1b018990260955686a"],
        notes: [],
        action: "ecs:jobs:get",
      },
      start: {
        summary: "Power servers on.",
        usage: ["/ecs start <targets…>"],
        examples: [
          "/ecs start web-01",
          '/ecs start web-01, web-02 "ops box 1"',
          "/ecs start tag:env=staging",
        ],
        notes: [],
        action: "ecs:cloudServers:start",
        typicalApproval: "Typically allowed without approval.",
      },
      stop: {
        summary: "Power servers off (gracefully unless --hard).",
        usage: ["/ecs stop <targets…> [--hard]"],
        examples: ["/ecs stop web-01", "/ecs stop web-01,web-02 --hard", "/ecs stop tag:env=staging"],
        notes: ["--hard forces power-off without waiting for the OS."],
        action: "ecs:cloudServers:stop",
        typicalApproval: "Typically needs approval for production servers.",
      },
      reboot: {
        summary: "Reboot servers (gracefully unless --hard).",
        usage: ["/ecs reboot <targets…> [--hard]"],
        examples: ["/ecs reboot web-01", "/ecs reboot 10.0.0.12 --hard"],
        notes: ["--hard forces a reset without waiting for the OS."],
        action: "ecs:cloudServers:reboot",
        typicalApproval: "Typically needs approval for production servers.",
      },
      resize: {
        summary: "Change a server's flavor.",
        usage: ["/ecs resize <server> <flavor> [--dry-run]"],
        examples: ["/ecs resize web-01 s6.large.2", "/ecs resize web-01 c7.xlarge.4 --dry-run"],
        notes: ["One server at a time. --dry-run only checks whether the resize is possible."],
        action: "ecs:cloudServers:resize",
        typicalApproval: "Typically needs approval (the server restarts).",
      },
      delete: {
        summary: "Delete servers.",
        usage: ["/ecs delete <targets…> [--delete-volume] [--delete-eip]"],
        examples: ["/ecs delete web-03", "/ecs delete web-03 --delete-volume --delete-eip"],
        notes: [
          "Irreversible. Data disks and EIPs are kept unless --delete-volume / --delete-eip are given.",
        ],
        action: "ecs:cloudServers:delete",
        typicalApproval: "Typically needs approval; often denied for production.",
      },
      help: {
        summary: "Show this help.",
        usage: ["/ecs help [<verb>]"],
        examples: ["/ecs help", "/ecs help stop", "/ecs stop help"],
        notes: [],
      },
    },
  },
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
      },
      ports: {
        summary: "List a host's open ports.",
        usage: ["/hss ports <server> [danger] [tcp|udp]"],
        examples: ["/hss ports db-02", "/hss ports db-02 danger tcp"],
        notes: ["`danger` shows only ports HSS flags as dangerous."],
        action: "hss:ports:list",
      },
      scan: {
        summary: "Show the hosts of a vulnerability scan task.",
        usage: ["/hss scan <task_id> [status=failed|success|scanning]"],
        examples: ["/hss scan 4e1b0a7c status=failed"],
        notes: [],
        action: "hss:scanTasks:get",
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
      },
      jobs: {
        summary: "List running and recent jobs.",
        usage: ["/ops jobs"],
        examples: ["/ops jobs"],
        notes: [],
        action: "ops:jobs:list",
      },
      approvals: {
        summary: "List requests waiting for approval.",
        usage: ["/ops approvals"],
        examples: ["/ops approvals"],
        notes: [],
        action: "ops:approvals:list",
      },
      audit: {
        summary: "Show the audit log, optionally for one server or user.",
        usage: ["/ops audit [<server>|@user] [<n>]", "/ops audit verify"],
        examples: ["/ops audit", "/ops audit web-01 20", "/ops audit @alice", "/ops audit verify"],
        notes: [
          `<n> is the number of entries, 1 to ${MAX_AUDIT_ENTRIES}.`,
          "`verify` checks that no entry was changed or deleted since it was written (a server named verify: give its ID).",
        ],
        action: "ops:audit:list",
      },
      watch: {
        summary: "List watched servers.",
        usage: ["/ops watch list"],
        examples: ["/ops watch list"],
        notes: [],
        action: "ops:watch:list",
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

const VERDICT_NOTE: Readonly<Record<PolicyVerdict, string>> = {
  allowed: "Current policy: allowed without approval.",
  "needs approval": "Current policy: needs approval before it runs.",
  denied: "Current policy: denied.",
};

function approvalNote(entry: VerbHelp, describe: DescribePolicy | undefined): string | undefined {
  if (entry.typicalApproval === undefined || entry.action === undefined) return undefined;
  let verdict: PolicyVerdict | undefined;
  try {
    verdict = describe?.(entry.action);
  } catch {
    // Help must render even if the live policy cannot be consulted; fall back to the typical note.
    verdict = undefined;
  }
  return verdict !== undefined && Object.hasOwn(VERDICT_NOTE, verdict)
    ? VERDICT_NOTE[verdict]
    : entry.typicalApproval;
}

/**
 * Help for a topic: a verb's usage, examples and notes (plus, for mutating verbs, whether it needs
 * approval: from `describe` when given and it knows, otherwise the typical case), or a command overview.
 * An unknown verb yields the command overview.
 */
export function helpFor(topic: HelpTopic, describe?: DescribePolicy): HelpText {
  const command = HELP[topic.command];
  const entry = topic.verb === undefined ? undefined : verbHelp(topic.command, topic.verb);
  if (entry && topic.verb !== undefined) {
    const approval = approvalNote(entry, describe);
    return {
      title: `/${topic.command} ${topic.verb}: ${entry.summary}`,
      usage: [...entry.usage],
      examples: [...entry.examples],
      notes: [
        ...entry.notes,
        ...(entry.usage.some((u) => u.includes("<targets…>")) ? [TARGETS_NOTE] : []),
      ].concat(approval === undefined ? [] : [approval]),
    };
  }
  const verbs = verbsOf(topic.command);
  return {
    title: command.title,
    usage: verbs.map((v) => command.verbs[v]?.usage[0] ?? ""),
    examples: verbs
      .flatMap((v) => command.verbs[v]?.examples.slice(0, 1) ?? [])
      .filter((e) => !e.includes(" help")),
    notes: [...command.notes],
  };
}
