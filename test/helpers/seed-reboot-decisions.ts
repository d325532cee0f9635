import type { OperationsHarness } from "../e2e/helpers/operations-harness.js";
import { IDS } from "../e2e/helpers/operations-harness.js";

/**
 * Writes `count` allowed `/ecs reboot web-01` decisions by Alice to the harness's audit log, the i-th (from 0)
 * with the reason `reasonOf(i)`: a history for the audit log's readers to page through and be refused.
 */
export async function seedRebootDecisions(
  h: OperationsHarness,
  count: number,
  reasonOf: (i: number) => string,
): Promise<void> {
  for (let i = 0; i < count; i++)
    await h.audit.record({
      type: "policy.decided",
      actorId: IDS.alice,
      action: "ecs:cloudServers:reboot",
      decision: "allow",
      serverIds: [h.serverId("web-01")],
      message: `/ecs reboot web-01 --reason "${reasonOf(i)}"`,
    });
}
