import { describe, expect, it } from "vitest";
import {
  helpFor,
  type Intent,
  IntentSchema,
  parseIntent,
  redactSecrets,
  usageFor,
  verbsOf,
} from "../../src/intents/index.js";

/** The grammar of the operator's-day verbs: for each, valid lines, invalid ones with their message, and help. */

type Expected = { intent: Intent } | { error: string; message?: string[] };
type Row = [text: string, expected: Expected];

const name = (n: string) => ({ kind: "name", name: n }) as const;
const VOL = "5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
const IMG = "1b1d5f3c-6a6f-4d1e-9a43-2b8d2d7c0a01";
const DEH = "7d6c5b4a-3f2e-4d1c-9b8a-7f6e5d4c3b2a";
const SRV = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

const GRAMMAR: Record<string, Row[]> = {
  tags: [
    ["tags", { intent: { type: "ecs.tags" } }],
    ["tags web-01", { intent: { type: "ecs.tags", server: name("web-01") } }],
    ["tags web-01 web-02", { error: "unexpected_argument", message: ["one server"] }],
    ["tags tag:env=prod", { error: "invalid_target", message: ["one server"] }],
    ["tags --all", { error: "unknown_flag" }],
  ],
  tag: [
    [
      "tag web-01 add owner=alice",
      {
        intent: { type: "ecs.tag.add", targets: [name("web-01")], tags: [{ key: "owner", value: "alice" }] },
      },
    ],
    [
      "tag web-01,web-02 tag:team=core ADD owner=alice cost-center=cc.42",
      {
        intent: {
          type: "ecs.tag.add",
          targets: [name("web-01"), name("web-02"), { kind: "tag", key: "team", value: "core" }],
          tags: [
            { key: "owner", value: "alice" },
            { key: "cost-center", value: "cc.42" },
          ],
        },
      },
    ],
    [
      "tag web-01 remove owner env=prod",
      {
        intent: {
          type: "ecs.tag.remove",
          targets: [name("web-01")],
          tags: [{ key: "owner" }, { key: "env", value: "prod" }],
        },
      },
    ],
    [
      'tag "add" add owner=alice',
      { intent: { type: "ecs.tag.add", targets: [name("add")], tags: [{ key: "owner", value: "alice" }] } },
    ],
    ["tag web-01", { error: "missing_argument", message: ["`add` or `remove`"] }],
    ["tag add owner=alice", { error: "missing_argument", message: ["at least one target"] }],
    ["tag web-01 add", { error: "missing_argument", message: ["tags to add"] }],
    ["tag web-01 remove", { error: "missing_argument", message: ["tags to remove"] }],
    ["tag web-01 add owner", { error: "invalid_value", message: ["`key=value`"] }],
    ["tag web-01 add owner=", { error: "invalid_value", message: ["needs a value"] }],
    ["tag web-01 add own:er=alice", { error: "invalid_value", message: ["tag key ECS accepts", "36"] }],
    ["tag web-01 add =x", { error: "invalid_value", message: ["`=x` has no key before `=`"] }],
    [
      'reinstall web-01 --keypair "<!here>"',
      { error: "invalid_value", message: ["takes a name, not a Slack mention"] },
    ],
    [
      "tag web-01 add __proto__=x",
      { error: "invalid_value", message: ["`__proto__` is a name the bot cannot use"] },
    ],
    ["tag web-01 add owner=a/b", { error: "invalid_value", message: ["tag value ECS accepts", "43"] }],
    [`tag web-01 add ${"k".repeat(37)}=v`, { error: "invalid_value", message: ["36"] }],
    ["tag web-01 add owner=a owner=b", { error: "invalid_value", message: ["given twice"] }],
    [
      "tag web-01 add owner=a remove env",
      { error: "unexpected_argument", message: ["One change per command"] },
    ],
    [
      `tag web-01 add ${Array.from({ length: 11 }, (_, i) => `k${i}=v`).join(" ")}`,
      { error: "invalid_value", message: ["At most 10 tags"] },
    ],
    ["tag web-01 remove env=", { error: "invalid_value", message: ["empty value"] }],
    ["tag web-01 --hard add owner=a", { error: "unknown_flag" }],
    ["tag tag:env= add owner=a", { error: "empty_tag_selector" }],
  ],
  "console-log": [
    ["console-log web-01", { intent: { type: "ecs.console-log", server: name("web-01"), lines: 50 } }],
    ["console-log web-01 200", { intent: { type: "ecs.console-log", server: name("web-01"), lines: 200 } }],
    ["console-log web-01 1", { intent: { type: "ecs.console-log", server: name("web-01"), lines: 1 } }],
    [
      "console-log web-01 201",
      { error: "invalid_value", message: ["At most 200 lines are shown", "1 to 200", "default 50"] },
    ],
    // A number is never "not a number", however large.
    ["console-log web-01 500000", { error: "invalid_value", message: ["At most 200 lines are shown"] }],
    ["console-log web-01 0", { error: "invalid_value", message: ["At least 1 line", "1 to 200"] }],
    ["console-log web-01 all", { error: "invalid_value", message: ["is not a number of lines"] }],
    ["console-log", { error: "missing_argument" }],
    ["console-log web-01 5 6", { error: "unexpected_argument" }],
    ["console-log tag:env=prod", { error: "invalid_target" }],
  ],
  lock: [
    ["lock db-01 db-02", { intent: { type: "ecs.lock", targets: [name("db-01"), name("db-02")] } }],
    [
      "lock tag:env=prod",
      { intent: { type: "ecs.lock", targets: [{ kind: "tag", key: "env", value: "prod" }] } },
    ],
    ["lock", { error: "missing_argument" }],
    ["lock db-01 --hard", { error: "unknown_flag" }],
  ],
  unlock: [
    ["unlock db-01", { intent: { type: "ecs.unlock", targets: [name("db-01")] } }],
    ["unlock", { error: "missing_argument" }],
    ["unlock <!channel>", { error: "mention_not_allowed" }],
  ],
  reinstall: [
    ["reinstall web-03", { intent: { type: "ecs.reinstall", server: name("web-03") } }],
    [
      "reinstall web-03 --keypair KeyPair-deploy",
      { intent: { type: "ecs.reinstall", server: name("web-03"), keyPair: "KeyPair-deploy" } },
    ],
    [
      "reinstall web-03 --keypair=KeyPair-deploy",
      { intent: { type: "ecs.reinstall", server: name("web-03"), keyPair: "KeyPair-deploy" } },
    ],
    ["reinstall web-03 --keypair", { error: "missing_argument", message: ["`--keypair` needs a value"] }],
    ["reinstall web-03 --keypair a --keypair b", { error: "invalid_flag", message: ["more than once"] }],
    ["reinstall web-03 --keypair bad/name", { error: "invalid_value", message: ["key pair name"] }],
    ["reinstall web-03 web-04", { error: "unexpected_argument" }],
    ["reinstall", { error: "missing_argument" }],
    [
      "reinstall web-03 --password S3cret!",
      { error: "password_not_allowed", message: ["never takes a password"] },
    ],
    ["reinstall web-03 adminpass=S3cret!", { error: "password_not_allowed" }],
    ["reinstall web-03 --admin-pass=S3cret!", { error: "password_not_allowed" }],
    ["reinstall web-03 —password S3cret!", { error: "password_not_allowed" }],
  ],
  "change-os": [
    [`change-os web-03 ${IMG}`, { intent: { type: "ecs.change-os", server: name("web-03"), imageId: IMG } }],
    [
      `change-os web-03 ${IMG.toUpperCase()} --keypair KeyPair-ops`,
      { intent: { type: "ecs.change-os", server: name("web-03"), imageId: IMG, keyPair: "KeyPair-ops" } },
    ],
    ["change-os web-03", { error: "missing_argument", message: ["image ID"] }],
    [
      "change-os web-03 ubuntu",
      { error: "invalid_value", message: ["`ubuntu` is not an image ID: expected one such as"] },
    ],
    [`change-os web-03 ${IMG} extra`, { error: "unexpected_argument" }],
    [`change-os web-03 ${IMG} Password=hunter2`, { error: "password_not_allowed" }],
  ],
  attach: [
    [`attach web-01 ${VOL}`, { intent: { type: "ecs.attach", server: name("web-01"), volumeId: VOL } }],
    [
      `attach web-01 ${VOL} /dev/vdc`,
      { intent: { type: "ecs.attach", server: name("web-01"), volumeId: VOL, device: "/dev/vdc" } },
    ],
    [`attach web-01 ${VOL} vdc`, { error: "invalid_value", message: ["/dev/vdb"] }],
    ["attach web-01", { error: "missing_argument", message: ["disk (volume) ID"] }],
    ["attach web-01 disk-1", { error: "invalid_value", message: ["disk (volume) ID"] }],
    [
      `attach ${SRV} ${VOL}`,
      { intent: { type: "ecs.attach", server: { kind: "id", id: SRV }, volumeId: VOL } },
    ],
  ],
  detach: [
    [`detach web-01 ${VOL}`, { intent: { type: "ecs.detach", server: name("web-01"), volumeId: VOL } }],
    ["detach web-01", { error: "missing_argument" }],
    [`detach web-01 ${VOL} /dev/vdb`, { error: "unexpected_argument" }],
    [`detach tag:env=prod ${VOL}`, { error: "invalid_target" }],
  ],
  migrate: [
    ["migrate web-01", { intent: { type: "ecs.migrate", server: name("web-01") } }],
    [
      `migrate web-01 --dedicated-host ${DEH}`,
      { intent: { type: "ecs.migrate", server: name("web-01"), dedicatedHostId: DEH } },
    ],
    ["migrate web-01 --dedicated-host deh-1", { error: "invalid_value", message: ["dedicated host ID"] }],
    [
      "migrate web-01 --host x",
      { error: "unknown_flag", message: ["`--host` is not a flag of `/ecs migrate`"] },
    ],
    ["migrate", { error: "missing_argument" }],
  ],
  quotas: [
    ["quotas", { intent: { type: "ecs.quotas" } }],
    ["quotas cores", { error: "unexpected_argument", message: ["no arguments"] }],
  ],
  nics: [
    ["nics web-01", { intent: { type: "ecs.nics", server: name("web-01") } }],
    ["nics", { error: "missing_argument" }],
  ],
  sg: [
    ["sg 10.0.0.12", { intent: { type: "ecs.sg", server: { kind: "ip", ip: "10.0.0.12", version: 4 } } }],
    ["sg web-01 web-02", { error: "unexpected_argument" }],
  ],
  groups: [
    ["groups", { intent: { type: "ecs.groups" } }],
    ["groups all", { error: "unexpected_argument" }],
  ],
  group: [
    [`group ${SRV}`, { intent: { type: "ecs.group", groupId: SRV } }],
    ["group SvrGrp-db", { error: "invalid_value", message: ["ECS group ID"] }],
    ["group", { error: "missing_argument", message: ["/ecs groups"] }],
  ],
  actions: [
    ["actions web-01", { intent: { type: "ecs.actions", server: name("web-01") } }],
    ["actions", { error: "missing_argument" }],
  ],
};

describe.each(Object.keys(GRAMMAR))("/ecs %s", (verb) => {
  it.each(GRAMMAR[verb]!)("%s", (text, expected) => {
    const result = parseIntent("/ecs", text);
    if ("intent" in expected) {
      expect(result).toEqual({ ok: true, intent: expected.intent });
      expect(IntentSchema.safeParse(expected.intent).success).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(expected.error);
    for (const part of expected.message ?? []) expect(result.error.message).toContain(part);
    if (expected.error !== "password_not_allowed") expect(result.error.usage).toBeTruthy();
  });

  it("has help: `/ecs <verb> help`, `/ecs help <verb>` and usage on errors", () => {
    expect(verbsOf("ecs")).toContain(verb);
    for (const text of [`${verb} help`, `help ${verb}`, `${verb} --help`]) {
      expect(parseIntent("/ecs", text)).toEqual({
        ok: true,
        intent: { type: "help", topic: { command: "ecs", verb } },
      });
    }
    const help = helpFor({ command: "ecs", verb });
    expect(help.usage.join("\n")).toBe(usageFor("ecs", verb));
    expect(help.examples.length).toBeGreaterThan(0);
  });
});

describe("passwords", () => {
  it("are refused whatever the verb, and the message never repeats them", () => {
    for (const [command, text] of [
      ["/ecs", "reinstall web-03 --password Hunter2-secret"],
      ["/ecs", "stop web-01 pwd=Hunter2-secret"],
      ["/ops", "policy explain ecs reinstall web-03 --root-password Hunter2-secret"],
      ["/ecs", "tag web-01 add password=Hunter2-secret"],
      ["/ecs", 'tag web-01 add "adminpass"=Hunter2-secret'],
      ["/ecs", "tag web-01 remove passwd"],
      ["/ecs", 'reinstall web-03 "password"=Hunter2-secret'],
      ["/ecs", "reinstall web-01 password:Hunter2-secret"],
      ["/ecs", "reinstall web-01 adminPass:Hunter2-secret"],
      ["/ecs", "change-os web-01 img-1 --keypair k root_password:Hunter2-secret"],
      ["/ecs", 'reinstall web-01 "--password" Hunter2-secret'],
      ["/ecs", "reinstall web-01 \u201c--password\u201d Hunter2-secret"],
    ] as const) {
      const result = parseIntent(command, text);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe("password_not_allowed");
      expect(JSON.stringify(result.error)).not.toContain("Hunter2");
    }
  });

  it("are cut out of the text before it is logged", () => {
    expect(redactSecrets("reinstall web-03 --password Hunter2 now")).toBe("reinstall web-03 [redacted]");
    expect(redactSecrets("reinstall web-03 adminPass=Hunter2")).toBe("reinstall web-03 [redacted]");
    expect(redactSecrets("reinstall web-03 --keypair KeyPair-ops")).toBe(
      "reinstall web-03 --keypair KeyPair-ops",
    );
    expect(redactSecrets("stop web-01")).toBe("stop web-01");
    expect(redactSecrets("reinstall web-01 password:Hunter2")).toBe("reinstall web-01 [redacted]");
    expect(redactSecrets('reinstall web-01 "--password" Hunter2')).toBe("reinstall web-01 [redacted]");
    expect(redactSecrets("reinstall web-01 \u201c--password\u201d Hunter2")).toBe(
      "reinstall web-01 [redacted]",
    );
    expect(redactSecrets("show password-vault")).toBe("show password-vault");
    // The bot's own secrets, pasted by mistake, wherever they stand; short ones would mask ordinary words.
    expect(redactSecrets("show web-01 SimulatorSecretKey01 now", ["SimulatorSecretKey01", "web"])).toBe(
      "show web-01 [redacted] now",
    );
  });

  it("a server or tag merely containing the word is not a password", () => {
    expect(parseIntent("/ecs", "show password-vault").ok).toBe(true);
    expect(parseIntent("/ecs", "tag web-01 add vault=password").ok).toBe(true);
    expect(parseIntent("/ecs", "show password").ok).toBe(true);
  });
});
