import type { FakeSlackState } from "./fake-slack-state.js";

/** A Web API answer body: `{ ok: true, … }` or `{ ok: false, error, … }`. */
export type ApiAnswer =
  | { ok: true; [key: string]: unknown }
  | { ok: false; error: string; [key: string]: unknown };

/** Which token a method accepts. */
export type TokenKind = "bot" | "app";

export interface MethodContext {
  state: FakeSlackState;
  args: Record<string, unknown>;
  /** Options that change how strict the fake is. */
  strictTriggers: boolean;
  /** Mints a Socket Mode WebSocket URL (for `apps.connections.open`). */
  openSocketUrl: () => string;
}

export interface WebApiMethod {
  token: TokenKind;
  handle: (ctx: MethodContext) => ApiAnswer;
}

export function fail(error: string, extra: Record<string, unknown> = {}): ApiAnswer {
  return { ok: false, error, ...extra };
}

/** A non-empty string argument, or undefined. Numbers are accepted as Slack coerces them. */
export function stringArg(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Slack's boolean coercion: `true`, `"true"`, `"1"`, `1`. */
export function boolArg(args: Record<string, unknown>, key: string): boolean {
  const value = args[key];
  return value === true || value === "true" || value === "1" || value === 1;
}

/** `invalid_arguments` with Slack's `response_metadata.messages` shape. */
export function invalidArguments(...messages: string[]): ApiAnswer {
  return fail("invalid_arguments", {
    response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) },
  });
}
