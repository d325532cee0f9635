import type { OperationsHarness } from "../e2e/helpers/operations-harness.js";

/**
 * Types `/ops <text>` as `user` (in `channel`, else the harness's default, #ops) and resolves with its answer:
 * the user's newest ephemeral after it.
 */
export async function runOpsCommand(h: OperationsHarness, text: string, user: string, channel?: string) {
  const before = h.fake.ephemerals({ user }).length;
  await h.command(text, { command: "/ops", user, ...(channel !== undefined && { channel }) });
  return h.fake.waitFor(() => h.fake.ephemerals({ user }).slice(before).at(-1));
}
