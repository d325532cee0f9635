import type { OperationsHarness } from "../e2e/helpers/operations-harness.js";

/**
 * Waits until `user` has an ephemeral whose text includes `needle`; resolves with the text of the first such
 * ephemeral, or of the newest (`which: "newest"`, for a test that asks the same thing more than once).
 */
export function waitForEphemeral(
  h: Pick<OperationsHarness, "fake" | "ephemeralTexts">,
  user: string,
  needle: string,
  which: "first" | "newest" = "first",
): Promise<string> {
  return h.fake.waitFor(() => {
    const texts = h.ephemeralTexts(user).filter((t) => t.includes(needle));
    return which === "first" ? texts[0] : texts.at(-1);
  });
}
