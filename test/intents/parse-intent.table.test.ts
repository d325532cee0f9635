// biome-ignore-all lint/suspicious/noTemplateCurlyInString: hostile input deliberately contains literal ${…} to prove it is never evaluated.
import { describe, expect, it } from "vitest";
import { type Intent, IntentSchema, MAX_TARGETS, parseIntent } from "../../src/intents/index.js";

type Expected =
  | { intent: Intent }
  | {
      error: string;
      /** Substrings the message must contain. */
      message?: string[];
      suggestion?: string;
      validFlags?: string[];
      usage?: string;
    };

type Row = [command: string, text: string, expected: Expected];

const name = (n: string) => ({ kind: "name", name: n }) as const;
const UUID = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

const rows: Row[] = [
  // ---- help ----
  ["/ecs", "", { intent: { type: "help", topic: { command: "ecs" } } }],
  ["/ecs", "   ", { intent: { type: "help", topic: { command: "ecs" } } }],
  ["/ecs", "help", { intent: { type: "help", topic: { command: "ecs" } } }],
  ["/ecs", "HELP stop", { intent: { type: "help", topic: { command: "ecs", verb: "stop" } } }],
  ["/ecs", "stop help", { intent: { type: "help", topic: { command: "ecs", verb: "stop" } } }],
  ["/ecs", "stop web-01 --help", { intent: { type: "help", topic: { command: "ecs", verb: "stop" } } }],
  ["/ecs", "delete web-01 -h", { intent: { type: "help", topic: { command: "ecs", verb: "delete" } } }],
  ["/hss", "", { intent: { type: "help", topic: { command: "hss" } } }],
  ["/hss", "ports help", { intent: { type: "help", topic: { command: "hss", verb: "ports" } } }],
  ["/ops", "help", { intent: { type: "help", topic: { command: "ops" } } }],
  ["/ops", "help ecs stop", { intent: { type: "help", topic: { command: "ecs", verb: "stop" } } }],
  ["/ops", "help /hss", { intent: { type: "help", topic: { command: "hss" } } }],
  ["/ops", "help reboot", { intent: { type: "help", topic: { command: "ecs", verb: "reboot" } } }],
  ["/ops", "policy help", { intent: { type: "help", topic: { command: "ops", verb: "policy" } } }],
  ["/ecs", "help rebot", { error: "unknown_verb", suggestion: "reboot" }],
  ["/ops", "help <!channel>", { error: "unexpected_argument", message: ["does not take a Slack mention"] }],

  // ---- /ecs list, show, flavors, job ----
  ["/ecs", "list", { intent: { type: "ecs.list", filters: { tags: [] } } }],
  [
    "/ecs",
    "list name=web status=shutoff flavor=s6.large.2 ip=10.0. tag=env=prod tag:team=core tag=env=prod",
    {
      intent: {
        type: "ecs.list",
        filters: {
          name: "web",
          status: "SHUTOFF",
          flavor: "s6.large.2",
          ip: "10.0.",
          tags: [
            { key: "team", value: "core" },
            { key: "env", value: "prod" },
          ],
        },
      },
    },
  ],
  ["/ecs", 'list name="ops box"', { intent: { type: "ecs.list", filters: { name: "ops box", tags: [] } } }],
  [
    "/ecs",
    "list status=FOO",
    { error: "invalid_value", message: ["`FOO`", "ACTIVE", "SHUTOFF", "VERIFY_RESIZE", "DELETED"] },
  ],
  ["/ecs", "list status=SHUTOF", { error: "invalid_value", suggestion: "status=SHUTOFF" }],
  ["/ecs", "list status=", { error: "invalid_value", message: ["`status=` needs a server status"] }],
  [
    "/ecs",
    "list statsu=ACTIVE",
    {
      error: "unknown_filter",
      suggestion: "status=",
      validFlags: ["name=", "status=", "flavor=", "ip=", "tag="],
    },
  ],
  ["/ecs", "list status=ACTIVE status=ERROR", { error: "duplicate_filter", message: ["status="] }],
  ["/ecs", "list tag=", { error: "empty_tag_selector" }],
  ["/ecs", "list tag=env", { error: "empty_tag_selector", message: ["needs a value"] }],
  ["/ecs", "list web-01", { error: "unexpected_argument", message: ["/ecs show"] }],
  // A tag written as a filter of its own, or with `:`: the corrected `tag=key=value`.
  [
    "/ecs",
    "list env=prod",
    {
      error: "unknown_filter",
      suggestion: "tag=env=prod",
      message: ["no filter `env=`", "write `tag=env=prod`"],
    },
  ],
  ["/ecs", "list ENV=Prod", { error: "unknown_filter", suggestion: "tag=ENV=Prod" }],
  ["/ecs", 'list "env=prod"', { error: "unexpected_argument", message: ["/ecs show"] }],
  ["/ecs", "list env:prod", { error: "unexpected_argument", message: ["write `tag=env=prod`"] }],
  [
    "/ecs",
    "list tag=env:prod",
    { error: "invalid_value", suggestion: "tag=env=prod", message: ["with `:`", "`tag=env=prod`"] },
  ],
  ["/ecs", "list tag:env:prod", { error: "invalid_value", suggestion: "tag:env=prod" }],
  ["/ecs", "show web-01", { intent: { type: "ecs.show", server: name("web-01") } }],
  ["/ecs", `show ${UUID.toUpperCase()}`, { intent: { type: "ecs.show", server: { kind: "id", id: UUID } } }],
  ["/ecs", "show", { error: "missing_argument", usage: "/ecs show <server>" }],
  ["/ecs", "show web-01 web-02", { error: "unexpected_argument" }],
  ["/ecs", "show tag:env=prod", { error: "invalid_target", message: ["one server"] }],
  [
    "/ecs",
    "flavors az=cn-north-4a min-vcpus=4 min-ram=8G",
    { intent: { type: "ecs.flavors", az: "cn-north-4a", minVcpus: 4, minRamMiB: 8192 } },
  ],
  ["/ecs", "flavors min-ram=4096", { intent: { type: "ecs.flavors", minRamMiB: 4096 } }],
  ["/ecs", "flavors min-vcpus=0", { error: "invalid_value", message: ["1 to 1024"] }],
  ["/ecs", "flavors min-vcpus=four", { error: "invalid_value" }],
  [
    "/ecs",
    "job ff80808288d41e1b018990260955686a",
    { intent: { type: "ecs.job", jobId: "ff80808288d41e1b018990260955686a" } },
  ],
  ["/ecs", "job", { error: "missing_argument", usage: "/ecs job <job_id>" }],
  ["/ecs", "job ../../etc/passwd", { error: "invalid_value" }],

  // ---- /ecs power verbs and targets ----
  [
    "/ecs",
    'stop web-01,web-02 "ops box 1" --hard',
    {
      intent: { type: "ecs.stop", targets: [name("web-01"), name("web-02"), name("ops box 1")], hard: true },
    },
  ],
  ["/ecs", "STOP Web-01", { intent: { type: "ecs.stop", targets: [name("Web-01")], hard: false } }],
  [
    "/ecs",
    "start web-01, web-01 ,web-02,,",
    { intent: { type: "ecs.start", targets: [name("web-01"), name("web-02")] } },
  ],
  [
    "/ecs",
    "reboot 10.0.0.5 2001:DB8:0:0:0:0:0:1 tag:env=prod —hard",
    {
      intent: {
        type: "ecs.reboot",
        targets: [
          { kind: "ip", ip: "10.0.0.5", version: 4 },
          { kind: "ip", ip: "2001:db8::1", version: 6 },
          { kind: "tag", key: "env", value: "prod" },
        ],
        hard: true,
      },
    },
  ],
  [
    "/ecs",
    "stop 2001:db8::1 2001:0db8:0000::0001",
    { intent: { type: "ecs.stop", targets: [{ kind: "ip", ip: "2001:db8::1", version: 6 }], hard: false } },
  ],
  [
    "/ecs",
    "stop “ops box 1” ‘db box’ 'x y'",
    { intent: { type: "ecs.stop", targets: [name("ops box 1"), name("db box"), name("x y")], hard: false } },
  ],
  // A token that starts with a quote is always a name, never a keyword or flag.
  [
    "/ecs",
    'stop "help" "--hard"',
    { intent: { type: "ecs.stop", targets: [name("help"), name("--hard")], hard: false } },
  ],
  ["/ecs", 'start "help"', { intent: { type: "ecs.start", targets: [name("help")] } }],
  [
    "/ecs",
    'stop tag:"cost center"="R&amp;D team"',
    { error: "invalid_target", message: ["characters tags cannot contain"] },
  ],
  [
    "/ecs",
    'stop tag:"cost center"="rnd team"',
    {
      intent: {
        type: "ecs.stop",
        targets: [{ kind: "tag", key: "cost center", value: "rnd team" }],
        hard: false,
      },
    },
  ],
  [
    "/ecs",
    "start web-01 --hard",
    {
      error: "unknown_flag",
      message: ["--hard", "is not a flag of `/ecs start`"],
      // A change takes the flags every change takes too (taken out before its grammar reads it).
      validFlags: [
        "--waves",
        "--wave-size",
        "--pause",
        "--max-failures",
        "--reason",
        "--break-glass",
        "--at",
        "--window",
      ],
    },
  ],
  [
    "/ecs",
    "stop web-01 --force",
    {
      error: "unknown_flag",
      validFlags: [
        "--hard",
        "--waves",
        "--wave-size",
        "--pause",
        "--max-failures",
        "--reason",
        "--break-glass",
        "--at",
        "--window",
      ],
    },
  ],
  ["/ecs", 'stop web-01 --reasn "INC-9"', { error: "unknown_flag", suggestion: "--reason" }],
  // A read takes none of them; nor does a command inside another (`/ops schedule add` takes them apart).
  ["/ecs", "list --reason", { error: "unknown_flag", validFlags: [] }],
  [
    "/ops",
    'schedule add "0 19 * * 1-5" /ecs stop web-01 --force',
    { error: "unknown_flag", validFlags: ["--hard", "--waves", "--wave-size", "--pause", "--max-failures"] },
  ],
  ["/ecs", "stop web-01 --hrad", { error: "unknown_flag", suggestion: "--hard" }],
  ["/ecs", "stop web-01 --hard=yes", { error: "invalid_flag" }],
  ["/ecs", "stop", { error: "missing_argument", usage: "/ecs stop <targets…> [--hard]" }],
  ["/ecs", "stop --hard", { error: "missing_argument" }],
  ["/ecs", "stop tag:", { error: "empty_tag_selector", message: ["never means all servers"] }],
  ["/ecs", "stop tag:=", { error: "empty_tag_selector" }],
  ["/ecs", "delete tag:=prod", { error: "empty_tag_selector", message: ["needs a key"] }],
  // ECS keeps tag keys of at most 127 characters (5.9.2 Table 5-69): a longer one is refused before any request.
  [
    "/ecs",
    `stop tag:${"k".repeat(128)}=prod`,
    { error: "invalid_target", message: ["Tag keys are at most 127 characters"] },
  ],
  ["/ecs", "delete TAG:env=", { error: "empty_tag_selector", message: ["needs a value"] }],
  ["/ecs", "stop 10.0.0.256", { error: "invalid_target", message: ["not a valid IPv4"] }],
  ["/ecs", "stop status=SHUTOFF", { error: "invalid_target", message: ["tag:key=value"] }],
  // Tag selectors written with `:` or split by a space: said so, with the corrected selector.
  [
    "/ecs",
    "stop tag:env:staging",
    {
      error: "invalid_target",
      suggestion: "tag:env=staging",
      message: ["`tag:env:staging` separates key and value with `:`", "`tag:env=staging`"],
    },
  ],
  ["/ecs", "stop TAG:env:a:b", { error: "invalid_target", suggestion: "TAG:env=a:b" }],
  ["/ecs", "stop tag:env", { error: "empty_tag_selector", message: ["needs a value"] }],
  ["/ecs", "stop tag::x", { error: "empty_tag_selector" }],
  [
    "/ecs",
    "stop tag env:staging",
    {
      error: "invalid_target",
      suggestion: "tag:env=staging",
      message: ["`tag env:staging` is not a tag selector"],
    },
  ],
  ["/ecs", "stop web-01 tag env=staging", { error: "invalid_target", suggestion: "tag:env=staging" }],
  ["/ecs", "stop tag: env=staging", { error: "invalid_target", suggestion: "tag:env=staging" }],
  [
    "/ecs",
    "stop tag web-01",
    { intent: { type: "ecs.stop", targets: [name("tag"), name("web-01")], hard: false } },
  ],
  [
    "/ecs",
    "stop env=staging",
    { error: "invalid_target", suggestion: "tag:env=staging", message: ["write `tag:env=staging`"] },
  ],
  ["/ecs", "stop env:staging", { error: "invalid_target", suggestion: "tag:env=staging" }],
  ["/ecs", "stop tags:env=staging", { error: "invalid_target", suggestion: "tag:env=staging" }],
  ["/ecs", "stop 10.0.0.5:80", { error: "invalid_target", message: ["is not a server name"] }],
  ["/ecs", "stop http://env=x", { error: "invalid_target", message: ["URLs are not targets"] }],
  [
    "/ecs",
    "rebot web-01",
    { error: "unknown_verb", suggestion: "reboot", message: ["did you mean `/ecs reboot web-01`?"] },
  ],
  ["/ecs", "restart web-01", { error: "unknown_verb", suggestion: "reboot" }],
  ["/ecs", "stpo web-01", { error: "unknown_verb", suggestion: "stop" }],
  ["/ecs", "xyzzy", { error: "unknown_verb", message: ["Verbs:", "`reboot`"] }],
  ["/ecs", 'stop "ops box 1', { error: "unterminated_quote" }],
  [
    "/ecs",
    "resize web-01 s6.large.2",
    { intent: { type: "ecs.resize", server: name("web-01"), flavor: "s6.large.2", dryRun: false } },
  ],
  [
    "/ecs",
    "resize --dry-run 10.1.2.3 c7.xlarge.4",
    {
      intent: {
        type: "ecs.resize",
        server: { kind: "ip", ip: "10.1.2.3", version: 4 },
        flavor: "c7.xlarge.4",
        dryRun: true,
      },
    },
  ],
  ["/ecs", "resize web-01", { error: "missing_argument", message: ["flavor"] }],
  ["/ecs", "resize web-01 web-02 s6.large.2", { error: "unexpected_argument", message: ["one server"] }],
  ["/ecs", "resize tag:env=prod s6.large.2", { error: "invalid_target" }],
  [
    "/ecs",
    "delete web-03 --delete-volume --delete-eip",
    { intent: { type: "ecs.delete", targets: [name("web-03")], deleteVolume: true, deleteEip: true } },
  ],
  ["/ecs", "delete web-03 --delete-volumes", { error: "unknown_flag", suggestion: "--delete-volume" }],

  // ---- /hss ----
  ["/hss", "hosts", { intent: { type: "hss.hosts", filters: { risk: false } } }],
  [
    "/hss",
    "hosts agent=OFFLINE protect=closed risk os=windows version=premium group=web-servers",
    {
      intent: {
        type: "hss.hosts",
        filters: {
          agent: "offline",
          protect: "closed",
          risk: true,
          os: "Windows",
          version: "hss.version.premium",
          group: "web-servers",
        },
      },
    },
  ],
  ["/hss", "hosts agent=sleeping", { error: "invalid_value", message: ["online", "install_failed"] }],
  // hss-list-hosts `group_name`: 1 to 64 characters.
  [
    "/hss",
    `hosts group=${"g".repeat(64)}`,
    { intent: { type: "hss.hosts", filters: { risk: false, group: "g".repeat(64) } } },
  ],
  [
    "/hss",
    `hosts group=${"g".repeat(65)}`,
    { error: "invalid_value", message: ["is not a server group", "1 to 64 characters"] },
  ],
  ["/hss", "hosts os=BeOS", { error: "invalid_value", message: ["Linux, Windows"] }],
  [
    "/hss",
    "ports db-02 danger tcp",
    { intent: { type: "hss.ports", server: name("db-02"), danger: true, protocol: "tcp" } },
  ],
  ["/hss", "ports db-02", { intent: { type: "hss.ports", server: name("db-02"), danger: false } }],
  ["/hss", "ports db-02 tcp udp", { error: "invalid_value", message: ["one protocol"] }],
  ["/hss", "ports", { error: "missing_argument" }],
  ["/hss", "scan 4e1b0a7c", { intent: { type: "hss.scan", taskId: "4e1b0a7c" } }],
  ["/hss", "scan", { intent: { type: "hss.scan" } }],
  ["/hss", "scan status=failed", { error: "missing_argument", message: ["give its ID"] }],
  [
    "/hss",
    "scan 4e1b0a7c status=FAILED",
    { intent: { type: "hss.scan", taskId: "4e1b0a7c", status: "failed" } },
  ],
  [
    "/hss",
    "scan 4e1b0a7c status=done",
    { error: "invalid_value", message: ["failed", "success", "scanning"] },
  ],
  ["/hss", "prots db-02", { error: "unknown_verb", suggestion: "ports" }],

  // ---- /ops ----
  ["/ops", "jobs", { intent: { type: "ops.jobs" } }],
  ["/ops", "approvals", { intent: { type: "ops.approvals" } }],
  ["/ops", "jobs all", { error: "unexpected_argument" }],
  ["/ops", "watch list", { intent: { type: "ops.watch.list" } }],
  ["/ops", "watch", { error: "missing_argument" }],
  ["/ops", "watch lst", { error: "unknown_verb", suggestion: "list" }],
  ["/ops", "audit", { intent: { type: "ops.audit" } }],
  [
    "/ops",
    "audit web-01 20",
    { intent: { type: "ops.audit", subject: { kind: "server", server: name("web-01") }, limit: 20 } },
  ],
  [
    "/ops",
    "audit <@U0123ABCD|alice>",
    { intent: { type: "ops.audit", subject: { kind: "user", userId: "U0123ABCD" } } },
  ],
  [
    "/ops",
    "audit 5 <@W0123ABCD>",
    { intent: { type: "ops.audit", subject: { kind: "user", userId: "W0123ABCD" }, limit: 5 } },
  ],
  ["/ops", "audit @alice", { error: "invalid_target", message: ["@-completion"] }],
  [
    "/ops",
    "audit U0123ABCD",
    { intent: { type: "ops.audit", subject: { kind: "user", userId: "U0123ABCD" } } },
  ],
  [
    "/ops",
    "audit @U0123ABCD 5",
    { intent: { type: "ops.audit", subject: { kind: "user", userId: "U0123ABCD" }, limit: 5 } },
  ],
  [
    "/ops",
    "audit <@U_ALICE|alice>",
    { intent: { type: "ops.audit", subject: { kind: "user", userId: "U_ALICE" } } },
  ],
  [
    "/ops",
    "audit WEB01",
    { intent: { type: "ops.audit", subject: { kind: "server", server: name("WEB01") } } },
  ],
  [
    "/ops",
    "audit web01",
    { intent: { type: "ops.audit", subject: { kind: "server", server: name("web01") } } },
  ],
  ["/ops", "audit web-01 <@U0123ABCD>", { error: "unexpected_argument" }],
  ["/ops", "audit 0", { error: "invalid_value" }],
  ["/ops", "audit 100000", { error: "invalid_value" }],
  ["/ops", "audit verify", { intent: { type: "ops.audit.verify" } }],
  ["/ops", "audit VERIFY", { intent: { type: "ops.audit.verify" } }],
  ["/ops", "audit verify 20", { error: "unexpected_argument", message: ["takes no arguments"] }],
  // ---- /ops audit --before: paging back in time ----
  [
    "/ops",
    "audit web-04 60 --before 4521",
    {
      intent: {
        type: "ops.audit",
        subject: { kind: "server", server: name("web-04") },
        limit: 60,
        beforeSeq: 4521,
      },
    },
  ],
  ["/ops", "audit --before #4521", { intent: { type: "ops.audit", beforeSeq: 4521 } }],
  [
    "/ops",
    "audit --before=17 <@U0123ABCD>",
    { intent: { type: "ops.audit", subject: { kind: "user", userId: "U0123ABCD" }, beforeSeq: 17 } },
  ],
  ["/ops", "audit web-04 --before", { error: "missing_argument", message: ["`--before` needs a value"] }],
  ["/ops", "audit --before 0", { error: "invalid_value", message: ["#4521"] }],
  ["/ops", "audit --before web-04", { error: "invalid_value" }],
  ["/ops", "audit --before 4521 --before 12", { error: "invalid_flag", message: ["more than once"] }],
  ["/ops", "audit verify --before 4521", { error: "unexpected_argument", message: ["takes no arguments"] }],
  [
    "/ops",
    "audit break-glass --before 4521",
    { error: "unexpected_argument", message: ["takes no arguments"] },
  ],
  ["/ops", "audit --after 4521", { error: "unknown_flag", validFlags: ["--before"] }],
  [
    "/ops",
    'audit "verify"',
    { intent: { type: "ops.audit", subject: { kind: "server", server: name("verify") } } },
  ],
  [
    "/ops",
    "policy explain ecs delete web-03",
    {
      intent: {
        type: "ops.policy.explain",
        commandLine: "/ecs delete web-03",
        intent: { type: "ecs.delete", targets: [name("web-03")], deleteVolume: false, deleteEip: false },
      },
    },
  ],
  [
    "/ops",
    'policy explain /ecs stop "ops box 1",tag:env=prod --hard',
    {
      intent: {
        type: "ops.policy.explain",
        commandLine: '/ecs stop "ops box 1",tag:env=prod --hard',
        intent: {
          type: "ecs.stop",
          targets: [name("ops box 1"), { kind: "tag", key: "env", value: "prod" }],
          hard: true,
        },
      },
    },
  ],
  [
    "/ops",
    "policy explain ecs rebot web",
    { error: "unknown_verb", message: ["Cannot explain"], suggestion: "reboot" },
  ],
  ["/ops", "policy explain ops policy explain ecs stop x", { error: "nested_explain" }],
  ["/ops", "policy explain", { error: "missing_argument" }],
  ["/ops", "policy explian ecs stop x", { error: "unknown_verb", suggestion: "explain" }],
  ["/ops", "policy explain foo stop x", { error: "unknown_command" }],
  ["/ops", "aprovals", { error: "unknown_verb", suggestion: "approvals" }],

  // ---- Slack escaping ----
  [
    "/ecs",
    "stop <http://web-03.example.com|web-03.example.com>",
    { intent: { type: "ecs.stop", targets: [name("web-03.example.com")], hard: false } },
  ],
  [
    "/ecs",
    "show <http://10.0.0.7|10.0.0.7>",
    { intent: { type: "ecs.show", server: { kind: "ip", ip: "10.0.0.7", version: 4 } } },
  ],
  ["/ecs", "stop <!channel>", { error: "mention_not_allowed" }],
  ["/ecs", "stop web-01 <!here>", { error: "mention_not_allowed" }],
  ["/ecs", "stop <@U0123ABCD|bob>", { error: "mention_not_allowed" }],
  ["/ecs", "stop <#C0123|general>", { error: "mention_not_allowed" }],
  [
    "/ecs",
    "<!channel>",
    { error: "unknown_verb", message: ["`/ecs` starts with a verb, not a Slack mention."] },
  ],
  // The user typed `<!channel>` literally: Slack escapes it, it stays text and is never echoed raw.
  ["/ecs", "stop &lt;!channel&gt;", { error: "invalid_target", message: ["‹!channel›"] }],
  ["/ecs", "stop a&amp;b", { error: "invalid_target", message: ["`a&b`"] }],
  ["/ecs", "stop web-01 <unclosed", { error: "invalid_target" }],

  // ---- hostile and odd input ----
  ["/ecs", "stop ${process.env}", { error: "invalid_target", message: ["`${process.env}`"] }],
  ["/ecs", "stop `rm -rf /`", { error: "unknown_flag", message: ["`-rf`"] }],
  // Wrapped whole, `rm` would be read as the name rm (a code span pasted from Slack): never run either.
  ["/ecs", "stop `rm`x", { error: "invalid_target", message: ["'rm'x"] }],
  ["/ecs", "stop web-01`whoami`", { error: "invalid_target", message: ["'whoami'"] }],
  ["/ecs", "${process.env.SECRET}", { error: "unknown_verb", message: ["`${process.env.SECRET}`"] }],
  ["/ecs", "stop {{constructor.constructor('x')()}}", { error: "invalid_target" }],
  ["/ecs", "__proto__", { error: "unknown_verb" }],
  ["/ecs", "constructor web", { error: "unknown_verb" }],
  ["/ecs", "stop web\u0000-01", { error: "invalid_character", message: ["U+0000"] }],
  ["/ecs", "stop web\u001b[31m", { error: "invalid_character" }],
  ["/ecs", "stop web\u202Eevil", { error: "invalid_character", message: ["U+202E"] }],
  ["/ecs", "stop web\u200B01", { error: "invalid_character" }],
  [
    "/ecs",
    "stop web-01\nweb-02\tweb-03",
    { intent: { type: "ecs.stop", targets: [name("web-01"), name("web-02"), name("web-03")], hard: false } },
  ],
  [
    "/ecs",
    "stop 服务器-01 größe",
    { intent: { type: "ecs.stop", targets: [name("服务器-01"), name("größe")], hard: false } },
  ],
  ["/ecs", "stop 🚀", { error: "invalid_target" }],
  ["/ecs", `stop ${"a".repeat(4001)}`, { error: "input_too_long", message: ["4000"] }],
  ["/ecs", `stop ${"x".repeat(300)}`, { error: "invalid_target", message: ["at most 255"] }],
  ["/ecs", "stop http://evil.example.com/x", { error: "invalid_target", message: ["URLs are not targets"] }],
  [
    "/ecs",
    "stop \u00A0web-01\u3000web-02",
    { intent: { type: "ecs.stop", targets: [name("web-01"), name("web-02")], hard: false } },
  ],

  // ---- commands ----
  ["/ec2", "stop web", { error: "unknown_command", suggestion: "/ecs" }],
  ["/ECS", "show web", { intent: { type: "ecs.show", server: name("web") } }],
  ["", "stop web", { error: "unknown_command" }],
];

describe("parseIntent table", () => {
  it("has at least 60 rows", () => {
    expect(rows.length).toBeGreaterThanOrEqual(60);
  });

  const cases = rows.map(([command, text, expected]) => ({
    title: `${command} ${JSON.stringify(text).slice(0, 72)}`,
    command,
    text,
    expected,
  }));

  it.each(cases)("$title", ({ command, text, expected }) => {
    const result = parseIntent(command, text);
    if ("intent" in expected) {
      expect(result).toEqual({ ok: true, intent: expected.intent });
      if (result.ok) expect(IntentSchema.safeParse(result.intent).success).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(expected.error);
    expect(result.error.message.length).toBeGreaterThan(0);
    for (const part of expected.message ?? [])
      expect(result.error.message.toLowerCase()).toContain(part.toLowerCase());
    if (expected.suggestion !== undefined) expect(result.error.suggestion).toBe(expected.suggestion);
    if (expected.validFlags !== undefined) expect(result.error.validFlags).toEqual(expected.validFlags);
    if (expected.usage !== undefined) expect(result.error.usage).toBe(expected.usage);
  });
});

describe("limits", () => {
  const twoCharNames = (n: number): string[] => {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    const out: string[] = [];
    for (const a of alphabet) for (const b of alphabet) out.push(`${a}${b}`);
    return out.slice(0, n);
  };

  it(`accepts ${MAX_TARGETS} distinct targets and rejects one more`, () => {
    const ok = parseIntent("/ecs", `stop ${twoCharNames(MAX_TARGETS).join(" ")}`);
    expect(ok.ok && ok.intent.type === "ecs.stop" && ok.intent.targets.length).toBe(MAX_TARGETS);
    const tooMany = parseIntent("/ecs", `stop ${twoCharNames(MAX_TARGETS + 1).join(" ")}`);
    expect(tooMany.ok ? undefined : tooMany.error.code).toBe("too_many_targets");
  });

  it("counts duplicates once towards the cap", () => {
    const result = parseIntent("/ecs", `stop ${Array(1500).fill("w").join(",")}`);
    expect(result.ok && result.intent.type === "ecs.stop" && result.intent.targets).toEqual([name("w")]);
  });

  it("measures the 4000-character limit on what the user typed, not on Slack's escaping", () => {
    const typed = `stop ${"&amp;".repeat(1000)}`; // 1005 characters as typed
    const result = parseIntent("/ecs", typed);
    expect(result.ok ? undefined : result.error.code).toBe("invalid_target");
  });

  it("handles pathological markup quickly and without throwing", () => {
    for (const text of [
      "<".repeat(4000),
      `stop ${"<a".repeat(1995)}`,
      `stop ${'"'.repeat(3995)}`,
      "&".repeat(4000),
    ]) {
      const result = parseIntent("/ecs", text);
      expect(result.ok).toBe(false);
    }
  });
});
