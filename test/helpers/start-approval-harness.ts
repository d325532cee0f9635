import { readFile } from "node:fs/promises";
import {
  type OperationsHarness,
  type OperationsHarnessOptions,
  resetApprovalWorld,
  startOperationsHarness,
} from "../e2e/helpers/operations-harness.js";

/** An operations harness under the shipped policy, shared by the tests of one file. */
export type ApprovalHarness = OperationsHarness & {
  /** The shipped policy's text (`flows/policy.yml`), for a test to change and `reset` to put back. */
  shipped: string;
  /**
   * Between two tests: the approval world as new (`resetApprovalWorld`: nothing running or waiting, the cloud
   * and Slack as new, the shipped policy's groups) and the shipped policy in force again.
   */
  reset(): Promise<void>;
};

/** Starts an operations harness (with `options`) for the approval tests, under the shipped policy. */
export async function startApprovalHarness(options: OperationsHarnessOptions = {}): Promise<ApprovalHarness> {
  const h = await startOperationsHarness(options);
  const shipped = await readFile("flows/policy.yml", "utf8");
  return Object.assign(h, {
    shipped,
    async reset() {
      await resetApprovalWorld(h);
      await h.policy.replace(shipped);
    },
  });
}
