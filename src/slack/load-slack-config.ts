import { z } from "zod";
import type { EnvVarDoc } from "../config/env-var-doc.js";
import { isHttpBaseUrl } from "../config/is-http-base-url.js";

/** How Slack reaches the bot. */
export type SlackTransport =
  /**
   * Socket Mode: the bot opens a WebSocket to Slack; no public endpoint needed. `metricsPort`: where `/metrics`,
   * `/readyz` and `/healthz` are served (the only HTTP port in this mode); absent: none.
   */
  | { kind: "socket"; appToken: string; metricsPort?: number }
  /** HTTP: Slack POSTs signed requests to `/slack/events` on `port` (which also serves the probes and metrics). */
  | { kind: "http"; signingSecret: string; port: number };

/** Validated Slack configuration. */
export interface SlackConfig {
  botToken: string;
  transport: SlackTransport;
  /** Web API base URL with a trailing slash; absent: Slack's (`https://slack.com/api/`). */
  apiUrl?: string;
}

export type SlackEnvVar = EnvVarDoc<"yes" | "no" | "HTTP mode">;

/** Slack's Web API, used unless `SLACK_API_URL` says otherwise. */
export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";

/** Every environment variable the Slack edge reads, for the README. */
export const SLACK_ENV_VARS: readonly SlackEnvVar[] = [
  {
    name: "SLACK_BOT_TOKEN",
    required: "yes",
    secret: true,
    meaning: "Bot user OAuth token (`xoxb-…`) used for every Web API call.",
  },
  {
    name: "SLACK_APP_TOKEN",
    required: "no",
    secret: true,
    meaning:
      "App-level token (`xapp-…`, scope `connections:write`). When set, the bot uses Socket Mode and opens no HTTP port.",
  },
  {
    name: "SLACK_SIGNING_SECRET",
    required: "HTTP mode",
    secret: true,
    meaning: "Signing secret that verifies Slack's HTTP requests. Required unless SLACK_APP_TOKEN is set.",
  },
  {
    name: "PORT",
    default: "3000",
    required: "no",
    secret: false,
    meaning:
      "HTTP mode: port of the server for `POST /slack/events`, `GET /healthz`, `GET /readyz` and `GET /metrics`.",
  },
  {
    name: "METRICS_PORT",
    required: "no",
    secret: false,
    meaning:
      "Socket Mode: port serving `GET /metrics`, `GET /readyz` and `GET /healthz` (the only HTTP port in this mode); unset: none. Ignored in HTTP mode (PORT serves them).",
  },
  {
    name: "SLACK_API_URL",
    required: "no",
    secret: false,
    meaning: "Web API base URL override (e.g. a local fake Slack); default `https://slack.com/api/`.",
  },
];

export interface SlackConfigIssue {
  /** The environment variable at fault. */
  variable: string;
  /** What is expected (never the value: it may be a secret). */
  expected: string;
}

export type LoadSlackConfigResult =
  | { ok: true; config: SlackConfig }
  | { ok: false; issues: SlackConfigIssue[] };

const NO_TRANSPORT: SlackConfigIssue = {
  variable: "SLACK_SIGNING_SECRET",
  expected: "the app's signing secret for HTTP mode, or set SLACK_APP_TOKEN for Socket Mode",
};

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = (schema: z.ZodType<string>) => z.preprocess(blankToUndefined, schema.optional());

function portSchema() {
  return z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, "a port number between 0 and 65535")
    .refine((v) => Number(v) <= 65_535, "a port number between 0 and 65535");
}

const envSchema = z.object({
  SLACK_BOT_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string({ error: "a bot token starting with xoxb- (required)" })
      .trim()
      .regex(/^xoxb-[A-Za-z0-9-]+$/, "a bot token starting with xoxb-"),
  ),
  SLACK_APP_TOKEN: optional(
    z
      .string()
      .trim()
      .regex(/^xapp-[A-Za-z0-9-_]+$/, "an app-level token starting with xapp- (or unset for HTTP mode)"),
  ),
  SLACK_SIGNING_SECRET: optional(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-_]{8,}$/, "the app's signing secret (at least 8 letters/digits)"),
  ),
  PORT: optional(portSchema()),
  METRICS_PORT: optional(portSchema()),
  SLACK_API_URL: optional(
    z
      .string()
      .trim()
      .refine(
        isHttpBaseUrl,
        "an http(s) URL without user, password, query or fragment, e.g. https://slack.com/api/",
      ),
  ),
});

/**
 * Reads and validates the Slack configuration. Socket Mode when SLACK_APP_TOKEN is set, else HTTP
 * (SLACK_SIGNING_SECRET required). Every problem at once, each naming its variable and what is expected, never
 * the value.
 */
export function loadSlackConfig(
  env: Record<string, string | undefined> = process.env,
): LoadSlackConfigResult {
  const parsed = envSchema.safeParse(env);
  const given = (name: string) => typeof env[name] === "string" && env[name].trim() !== "";
  const issues: SlackConfigIssue[] = [];
  if (!parsed.success) {
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? "environment");
      const key = `${variable}\0${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push({ variable, expected: issue.message });
    }
  }
  // Judged on presence, so it is reported together with any malformed value.
  if (!given("SLACK_APP_TOKEN") && !given("SLACK_SIGNING_SECRET")) issues.push(NO_TRANSPORT);
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  const e = parsed.data;
  let transport: SlackTransport;
  if (e.SLACK_APP_TOKEN !== undefined) {
    transport = {
      kind: "socket",
      appToken: e.SLACK_APP_TOKEN,
      ...(e.METRICS_PORT !== undefined && { metricsPort: Number(e.METRICS_PORT) }),
    };
  } else if (e.SLACK_SIGNING_SECRET !== undefined) {
    transport = { kind: "http", signingSecret: e.SLACK_SIGNING_SECRET, port: Number(e.PORT ?? "3000") };
  } else {
    return { ok: false, issues: [NO_TRANSPORT] };
  }
  const config: SlackConfig = { botToken: e.SLACK_BOT_TOKEN, transport };
  if (e.SLACK_API_URL !== undefined) {
    config.apiUrl = e.SLACK_API_URL.endsWith("/") ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`;
  }
  return { ok: true, config };
}

/** Thrown by `loadSlackConfigOrThrow`; the message lists variables and expectations only. */
export class SlackConfigError extends Error {
  override readonly name = "SlackConfigError";
  constructor(readonly issues: SlackConfigIssue[]) {
    super(
      `Invalid Slack configuration: ${issues.map((i) => `${i.variable}: expected ${i.expected}`).join("; ")}`,
    );
  }
}

/** `loadSlackConfig` for start-up code that cannot continue without a configuration. */
export function loadSlackConfigOrThrow(env: Record<string, string | undefined> = process.env): SlackConfig {
  const result = loadSlackConfig(env);
  if (!result.ok) throw new SlackConfigError(result.issues);
  return result.config;
}
