import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { type OperationsHarness, textOf } from "../e2e/helpers/operations-harness.js";

/**
 * Waits for the wave list in the thread of `card` (the reply with the Pause/Resume/Abort buttons, or the waves'
 * final state) to satisfy `check`; resolves with its text.
 */
export function waitForWaveList(
  h: Pick<OperationsHarness, "fake" | "replies">,
  card: FakeSlackMessage,
  check: (text: string) => boolean,
): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("*Wave 1*") && check(t)),
  );
}
