import type { CommandHelp } from "./help.js";
import {
  DEFAULT_CONSOLE_LINES,
  ECS_STATUSES,
  MAX_CONSOLE_LINES,
  MAX_TAG_CHANGES,
  MAX_TARGETS,
} from "./intent-schema.js";

/** The help of `/ecs` and its verbs: usage, examples, notes, kind and what the shipped policy decides. */

/** What `<targets…>` may be, said wherever a verb takes targets. */
export const TARGETS_NOTE =
  "`<targets…>`: server names, IDs, IP addresses or `tag:key=value` selectors, separated by spaces or commas. " +
  `Quote names with spaces: \`"ops box 1"\`. At most ${MAX_TARGETS} targets.`;

/**
 * The flags every change takes besides its own (`CHANGE_FLAGS`), said in each change's help: its usage lines
 * stay those of the verb, short enough for the overview.
 */
export const CHANGE_FLAGS_NOTE =
  'Like every change: `--reason "<why>"` for its approvers and the audit; `--at <time>` or `--window <name>` to run it later; `--break-glass "<why>"` to skip approval and act now in an emergency, if the policy lets you (never with `--at` or `--window`).';

export const ECS_HELP: CommandHelp = {
  title: "/ecs: Elastic Cloud Servers",
  notes: [
    TARGETS_NOTE,
    "Every change can run later: `--at 22:30` (your time zone), `--at 2026-12-08T22:30+01:00`, or `--window <name>` (a maintenance window: the one open now, else its next opening; `/ops calendar` lists them).",
    'Say why with `--reason "INC-4711: memory leak"`: approvers see it on the card, and the audit keeps it.',
    "Type `/ecs help <verb>` or `/ecs <verb> help` for details.",
  ],
  common: ["list", "show", "start", "stop", "reboot", "resize", "tag", "delete"],
  verbs: {
    list: {
      summary: "List servers, optionally filtered.",
      usage: ["/ecs list [name=<text>] [status=<status>] [flavor=<flavor>] [ip=<ip>] [tag=<key>=<value> …]"],
      examples: ["/ecs list", "/ecs list status=SHUTOFF", "/ecs list name=web tag=env=prod tag=team=core"],
      notes: [
        `status is one of ${ECS_STATUSES.join(", ")}.`,
        "name and ip match partially; every tag must match. `tag:key=value` works too.",
        "With tags only (`/ecs list tag:env=prod`) the cloud selects and pages the servers by tag.",
      ],
      action: "ecs:servers:list",
      kind: "read",
      shipped: "allowed",
    },
    show: {
      summary: "Show one server's details.",
      usage: ["/ecs show <server>"],
      examples: ["/ecs show web-01", "/ecs show 10.0.0.12"],
      notes: ["`<server>` is a name, an ID or an IP address."],
      action: "ecs:servers:get",
      kind: "read",
      shipped: "allowed",
    },
    flavors: {
      summary: "List flavors (instance types).",
      usage: ["/ecs flavors [az=<zone>] [min-vcpus=<n>] [min-ram=<MiB>]"],
      examples: ["/ecs flavors", "/ecs flavors az=cn-north-4a min-vcpus=4 min-ram=8192"],
      notes: ["min-ram is in MiB; `8G` / `8GiB` are accepted and converted."],
      action: "ecs:flavors:list",
      kind: "read",
      shipped: "allowed",
    },
    job: {
      summary: "Show the status of an ECS job.",
      usage: ["/ecs job <job_id>"],
      examples: ["/ecs job <job_id>"],
      notes: [
        "`<job_id>`: the ECS job ID. The thread of each change names its jobs when the run ends (`jobs: …`).",
      ],
      action: "ecs:jobs:get",
      kind: "read",
      shipped: "allowed",
    },
    tags: {
      summary: "Show a server's tags, or every tag key of the project with its values.",
      usage: ["/ecs tags [<server>]"],
      examples: ["/ecs tags web-01", "/ecs tags"],
      notes: ["To find the servers with a tag: `/ecs list tag:key=value`."],
      action: "ecs:serverTags:list",
      kind: "read",
      shipped: "allowed",
    },
    quotas: {
      summary: "Show the project's quotas and how much of each is used.",
      usage: ["/ecs quotas"],
      examples: ["/ecs quotas"],
      notes: ["A resize is checked against the vCPU and RAM quotas before anyone approves it."],
      action: "ecs:quotas:get",
      kind: "read",
      shipped: "allowed",
    },
    nics: {
      summary: "Show a server's network interfaces.",
      usage: ["/ecs nics <server>"],
      examples: ["/ecs nics web-01"],
      notes: [],
      action: "ecs:serverInterfaces:list",
      kind: "read",
      shipped: "allowed",
    },
    sg: {
      summary: "Show a server's security groups and their rules.",
      usage: ["/ecs sg <server>"],
      examples: ["/ecs sg web-01"],
      notes: [],
      action: "ecs:securityGroups:list",
      kind: "read",
      shipped: "allowed",
    },
    groups: {
      summary: "List the ECS groups (anti-affinity) of the project.",
      usage: ["/ecs groups"],
      examples: ["/ecs groups"],
      notes: [],
      action: "ecs:serverGroups:list",
      kind: "read",
      shipped: "allowed",
    },
    group: {
      summary: "Show one ECS group and its members.",
      usage: ["/ecs group <group_id>"],
      examples: ["/ecs group <group_id>"],
      notes: ["`<group_id>`: the ECS group's ID, from `/ecs groups`."],
      action: "ecs:serverGroups:get",
      kind: "read",
      shipped: "allowed",
    },
    actions: {
      summary: "Show what was done to a server: the cloud's record next to the bot's audit log.",
      usage: ["/ecs actions <server>"],
      examples: ["/ecs actions web-01"],
      notes: [
        "Each operation the cloud recorded says whether it came through the bot (with the request) or not.",
      ],
      action: "ecs:instanceActions:list",
      kind: "read",
      shipped: "allowed",
    },
    "console-log": {
      summary: "Show the last lines of a server's console log.",
      usage: [`/ecs console-log <server> [<lines>]`],
      examples: ["/ecs console-log web-01", "/ecs console-log web-01 200"],
      notes: [
        `The last ${DEFAULT_CONSOLE_LINES} lines unless you say otherwise, at most ${MAX_CONSOLE_LINES}.`,
        "A console log may show secrets: it is answered only to you and cannot be shared in the channel.",
      ],
      action: "ecs:servers:getConsoleOutput",
      kind: "read",
      shipped: "allowed for the user groups the policy lists (shipped: `@sre`)",
      policyNote: true,
    },
    start: {
      summary: "Power servers on.",
      usage: ["/ecs start <targets…>"],
      examples: ["/ecs start web-01", '/ecs start web-01, web-02 "ops box 1"', "/ecs start tag:env=staging"],
      notes: [
        "In waves: `--waves <n>` or `--wave-size <n|p%>`, with `--pause <duration>` between them and `--max-failures <n|p%>` (default 1) to stop early; each wave waits for its servers to be healthy.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:start",
      kind: "change",
      shipped: "allowed; 1 approval for `env=prod` servers",
    },
    stop: {
      summary: "Power servers off (gracefully unless --hard).",
      usage: ["/ecs stop <targets…> [--hard]"],
      examples: ["/ecs stop web-01", "/ecs stop web-01,web-02 --hard", "/ecs stop tag:env=staging"],
      notes: [
        "--hard forces power-off without waiting for the OS.",
        "In waves: `--waves <n>` or `--wave-size <n|p%>`, with `--pause <duration>` between them and `--max-failures <n|p%>` (default 1) to stop early; each wave waits for its servers to be healthy.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:stop",
      kind: "change",
      shipped: "allowed; `--hard`: 1 approval; +1 for `env=prod` servers",
    },
    reboot: {
      summary: "Reboot servers (gracefully unless --hard).",
      usage: ["/ecs reboot <targets…> [--hard]"],
      examples: [
        "/ecs reboot web-01",
        "/ecs reboot 10.0.0.12 --hard",
        "/ecs reboot tag:env=staging --waves 3 --pause 5m --max-failures 10%",
      ],
      notes: [
        "--hard forces a reset without waiting for the OS.",
        "In waves: `--waves <n>` or `--wave-size <n|p%>`, with `--pause <duration>` between them and `--max-failures <n|p%>` (default 1) to stop early; each wave waits for its servers to be healthy.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:reboot",
      kind: "change",
      shipped: "allowed; `--hard`: 1 approval; +1 for `env=prod` servers",
    },
    resize: {
      summary: "Change a server's flavor.",
      usage: ["/ecs resize <server> <flavor> [--dry-run]"],
      examples: ["/ecs resize web-01 s6.xlarge.2", "/ecs resize web-01 c7.2xlarge.4 --dry-run"],
      notes: [
        "One server at a time. --dry-run shows the preflight (the bot's checks and Huawei Cloud's dry run, which checks only the request's format) and changes nothing.",
        "The preflight refuses a resize the vCPU or RAM quota cannot hold, with the figures.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:resize",
      kind: "change",
      shipped: "1 approval; +1 for `env=prod` servers",
    },
    tag: {
      summary: "Add or remove tags of servers.",
      usage: ["/ecs tag <targets…> add <key>=<value> […]", "/ecs tag <targets…> remove <key>[=<value>] […]"],
      examples: [
        "/ecs tag web-01 add owner=alice",
        "/ecs tag web-01 web-02 remove owner",
        "/ecs tag tag:team=core add cost-center=cc-42",
      ],
      notes: [
        `At most ${MAX_TAG_CHANGES} tags; keys are 1 to 36 letters, digits, \`-\` and \`_\`, values 1 to 43 (also \`.\`).`,
        "Adding a key the server has replaces its value. `remove key` removes it whatever its value; `remove key=value` only with that value.",
        "A tag that a policy rule matches on (such as `env`) changes what the policy decides about the server, so changing it may need approval.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:servers:addTags",
      kind: "change",
      shipped:
        "allowed; 1 approval to add or remove a tag a policy rule matches on (`env`, `lock`); 2 to remove `env=prod`",
    },
    lock: {
      summary: "Lock servers: the cloud refuses changes to them until they are unlocked.",
      usage: ["/ecs lock <targets…>"],
      examples: ["/ecs lock db-01", "/ecs lock tag:env=prod"],
      notes: [
        "The bot refuses every change to a locked server before anyone approves it, and says why.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:servers:lock",
      kind: "change",
      shipped: "allowed",
    },
    unlock: {
      summary: "Unlock servers.",
      usage: ["/ecs unlock <targets…>"],
      examples: ["/ecs unlock db-01"],
      notes: [CHANGE_FLAGS_NOTE],
      action: "ecs:servers:unlock",
      kind: "change",
      shipped: "1 approval",
    },
    attach: {
      summary: "Attach an available disk to a server.",
      usage: ["/ecs attach <server> <volume_id> [<device>]"],
      examples: ["/ecs attach web-01 <volume_id>", "/ecs attach web-01 <volume_id> /dev/vdc"],
      notes: [
        "`<volume_id>`: the ID of an available EVS disk, from the console's EVS page (Elastic Volume Service → Disks); the bot does not list disks that are not attached.",
        "Without a device name the next free one is used.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:attach",
      kind: "change",
      shipped: "allowed",
    },
    detach: {
      summary: "Detach a data disk from a server.",
      usage: ["/ecs detach <server> <volume_id>"],
      examples: ["/ecs detach web-01 <volume_id>"],
      notes: [
        "`<volume_id>`: the disk's volume ID, from `/ecs show <server>` (it lists each attached disk).",
        "The system disk is never detached from chat.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:detachVolume",
      kind: "change",
      shipped: "1 approval",
    },
    migrate: {
      summary: "Cold-migrate a server to a dedicated host, or back to the public pool.",
      usage: ["/ecs migrate <server> [--dedicated-host <host_id>]"],
      examples: ["/ecs migrate web-01", "/ecs migrate web-01 --dedicated-host <host_id>"],
      notes: [
        "`<host_id>`: the dedicated host's ID, from the console's Dedicated Host (DeH) page.",
        "A running server is stopped, migrated and started again.",
        "Without --dedicated-host a server on a dedicated host goes back to the public pool.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:migrate",
      kind: "change",
      shipped: "1 approval; +1 for `env=prod` servers",
    },
    delete: {
      summary: "Delete servers.",
      usage: ["/ecs delete <targets…> [--delete-volume] [--delete-eip]"],
      examples: ["/ecs delete web-03", "/ecs delete web-03 --delete-volume --delete-eip"],
      notes: [
        "Irreversible. Data disks and EIPs are kept unless --delete-volume / --delete-eip are given.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:delete",
      kind: "destructive",
      shipped: "2 approvals; +1 for `env=prod` servers; at most 10 servers",
    },
    reinstall: {
      summary: "Reinstall a server's OS from its current image (wipes the system disk).",
      usage: ["/ecs reinstall <server> [--keypair <name>]"],
      examples: ["/ecs reinstall web-03", "/ecs reinstall web-03 --keypair KeyPair-deploy"],
      notes: [
        "Never a password: the key pair named, or the server's own key pair. A command with a password is refused.",
        "A running server is stopped first; it starts again on the new system disk. Data disks are kept.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:rebuild",
      kind: "destructive",
      shipped: "2 approvals; +1 for `env=prod` servers",
    },
    "change-os": {
      summary: "Change a server's OS to another image (wipes the system disk).",
      usage: ["/ecs change-os <server> <image_id> [--keypair <name>]"],
      examples: [
        "/ecs change-os web-03 <image_id>",
        "/ecs change-os web-03 <image_id> --keypair KeyPair-deploy",
      ],
      notes: [
        "`<image_id>`: the image's ID, from the console's Image Management Service (IMS) page; `/ecs show <server>` shows the image a server runs.",
        "Never a password: the key pair named, or the server's own key pair. A command with a password is refused.",
        "A running server is stopped first; it starts again on the new system disk. Data disks are kept.",
        CHANGE_FLAGS_NOTE,
      ],
      action: "ecs:cloudServers:changeOS",
      kind: "destructive",
      shipped: "2 approvals; +1 for `env=prod` servers",
    },
    help: {
      summary: "Show this help.",
      usage: ["/ecs help [<verb>|all]"],
      examples: ["/ecs help", "/ecs help stop", "/ecs stop help", "/ecs help all"],
      notes: [],
    },
  },
};
