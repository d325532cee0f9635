import type { Agent, Dispatcher } from "undici";

/**
 * A keep-alive undici `Agent`, loaded with the first request that needs it rather than with the bot (undici
 * costs about 60 ms of a start to `/healthz`). The cloud client and the Slack fetch each own one.
 */
export async function loadUndiciAgent(options: Agent.Options): Promise<Dispatcher> {
  const undici = await import("undici");
  // A CommonJS package: Node's loader names its exports, the bundle (esbuild) has only `default`.
  const AgentClass = undici.Agent ?? (undici as unknown as { default: typeof undici }).default.Agent;
  return new AgentClass(options);
}
