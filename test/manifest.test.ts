import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { App } from "@slack/bolt";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createLogger } from "../src/log/create-logger.js";
import { SUBSCRIBED_EVENTS } from "../src/slack/listeners/events/index.js";
import { registerListeners } from "../src/slack/listeners/index.js";
import type { ListenerDeps } from "../src/slack/listeners/listener-deps.js";

const root = fileURLToPath(new URL("..", import.meta.url));
/** The project's shared reference copy of Slack's published schema, beside the checkout, if there is one. */
function sharedSchema(): string | undefined {
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    const candidate = join(dir, "..", "shared", "reference", "slack-app-manifest.schema.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
/**
 * A copy of that schema kept in the repository, so a clone anywhere runs this test. Never fetched: the test
 * checks against the copy the project keeps, not whatever is online today.
 */
const keptSchema = join(root, "test", "fixtures", "slack-app-manifest.schema.json");
/** `SLACK_MANIFEST_SCHEMA`, else the shared reference beside the checkout, else the repository's copy. */
const findSchema = (): string => process.env.SLACK_MANIFEST_SCHEMA || (sharedSchema() ?? keptSchema);
const schemaPath = findSchema();

interface Manifest {
  display_information: Record<string, unknown>;
  features: {
    app_home?: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean };
    slash_commands: { command: string; usage_hint: string; url?: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url?: string };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
}

const MANIFESTS = {
  "manifest.yml": parse(readFileSync(`${root}/manifest.yml`, "utf8")) as Manifest,
  "manifest.http.yml": parse(readFileSync(`${root}/manifest.http.yml`, "utf8")) as Manifest,
};
const socket = MANIFESTS["manifest.yml"];
const http = MANIFESTS["manifest.http.yml"];

/**
 * The bot scope each Web API method the code calls needs, from Slack's method reference ("Required scopes";
 * `null`: none). A method missing here fails the test below: look its scope up and add it, here and in both
 * manifests.
 */
const METHOD_SCOPES: Readonly<Record<string, string | null>> = {
  "chat.postMessage": "chat:write",
  "chat.update": "chat:write",
  "chat.postEphemeral": "chat:write",
  "chat.getPermalink": null,
  "views.open": null,
  "views.publish": null,
  "usergroups.list": "usergroups:read",
  "usergroups.users.list": "usergroups:read",
  "users.info": "users:read",
  "conversations.info": "channels:read",
};
/** Scopes the Events API requires to deliver each event type. */
const EVENT_SCOPES: Readonly<Record<string, string | null>> = {
  app_home_opened: null,
  app_mention: "app_mentions:read",
  "message.im": "im:history",
  subteam_created: "usergroups:read",
  subteam_members_changed: "usergroups:read",
  subteam_updated: "usergroups:read",
};

/** Every TypeScript file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/**
 * The Web API methods the bot calls: `client.<family>.<method>(` in its sources (the fake Slack and the
 * playground in `src/sandbox` are not the bot). Bolt's own `auth.test` needs no scope.
 */
function calledMethods(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sourceFiles(join(root, "src"))) {
    if (relative(root, file).startsWith(join("src", "sandbox"))) continue;
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/\bclient\.((?:[a-z]+)(?:\.[a-zA-Z]+)+)\(/g)) {
      const method = match[1]!;
      found.set(method, [...(found.get(method) ?? []), relative(root, file)]);
    }
  }
  return found;
}

/** What the listeners register on a Bolt app: event types, whether `message` is listened to, commands. */
function registeredListeners(): { events: string[]; commands: string[] } {
  const events: string[] = [];
  const commands: string[] = [];
  const recorder = {
    event: (type: string) => events.push(type),
    message: () => events.push("message"),
    command: (name: string) => commands.push(name),
    action: () => {},
    view: () => {},
  };
  const deps = { logger: createLogger({ level: "silent" }) } as unknown as ListenerDeps;
  registerListeners(recorder as unknown as App, deps);
  return { events, commands };
}

// Where the shared reference is beside the checkout (as in CI), the repository's copy must be the same file:
// an update of the reference is then noticed here, and copied.
describe.runIf(sharedSchema() !== undefined)("the repository's copy of Slack's manifest schema", () => {
  it("is the shared reference's file, byte for byte", () => {
    expect(readFileSync(keptSchema, "utf8")).toBe(readFileSync(sharedSchema() ?? "", "utf8"));
  });
});

describe.each(Object.entries(MANIFESTS))("%s", (_name, manifest) => {
  it("validates against Slack's published app manifest schema", () => {
    const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
    // strict: false because Slack's schema uses a non-standard `regex` keyword; formats are not checked.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("is rejected by the schema when it has an unknown key (the test can fail)", () => {
    const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
    expect(
      validate({ ...manifest, display_information: { ...manifest.display_information, colour: "red" } }),
    ).toBe(false);
  });

  it("declares the commands, the Home and Messages tabs, and interactivity the bot needs", () => {
    const commands = manifest.features.slash_commands.map((c) => c.command);
    expect(commands).toEqual(["/ecs", "/hss", "/ops"]);
    for (const c of manifest.features.slash_commands) expect(c.usage_hint.length).toBeGreaterThan(0);
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it("asks for exactly the scopes the code uses: every scope is needed, every need is declared", () => {
    const needed = new Map<string, string[]>([["commands", ["slash commands"]]]);
    const need = (scope: string | null, why: string) => {
      if (scope !== null) needed.set(scope, [...(needed.get(scope) ?? []), why]);
    };
    for (const [method, files] of calledMethods()) {
      expect(METHOD_SCOPES, `${method} (called in ${files.join(", ")}) has no known scope`).toHaveProperty([
        method,
      ]);
      need(METHOD_SCOPES[method] ?? null, method);
    }
    for (const event of manifest.settings.event_subscriptions.bot_events) {
      expect(EVENT_SCOPES, `event ${event} has no known scope`).toHaveProperty([event]);
      need(EVENT_SCOPES[event] ?? null, event);
    }
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed.keys()].sort());
  });

  it("subscribes to exactly the events the listeners handle, and registers exactly its commands", () => {
    const { events, commands } = registeredListeners();
    const declared = manifest.settings.event_subscriptions.bot_events;
    expect([...declared].sort()).toEqual([...SUBSCRIBED_EVENTS].sort());
    // `message.im` is delivered as a `message` event (the DM handler ignores other channel types).
    expect(declared.map((e) => e.split(".")[0]).sort()).toEqual([...events].sort());
    expect(commands).toEqual(manifest.features.slash_commands.map((c) => c.command));
  });
});

describe("the two manifests", () => {
  const urls = [
    ...http.features.slash_commands.map((c) => c.url),
    http.settings.event_subscriptions.request_url,
    http.settings.interactivity.request_url,
  ];

  it("Socket Mode: no request URLs; HTTP mode: every command, interaction and event goes to /slack/events", () => {
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socket)).not.toContain("request_url");
    expect(socket.features.slash_commands.some((c) => c.url !== undefined)).toBe(false);
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(urls).toHaveLength(5);
    for (const url of urls) expect(url).toBe("https://hwc-chatops.example.com/slack/events");
  });

  it("differ in nothing else", () => {
    const strip = (m: Manifest): unknown =>
      JSON.parse(
        JSON.stringify(m, (key, value) =>
          key === "url" || key === "request_url" || key === "socket_mode_enabled" ? undefined : value,
        ),
      );
    expect(strip(http)).toEqual(strip(socket));
  });
});
