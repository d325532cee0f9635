/**
 * What a detach or a delete leaves behind, said after the run from the preflight its approvers read: the
 * detached disk, kept and available, with the exact command that attaches it again on the device it had; the
 * data disks and EIPs a delete kept (still billed). Against the simulated cloud: the preflight, then the run.
 */
import { describe, expect, it } from "vitest";
import { context } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { flowSummaryMessage } from "../../src/workflow/flow-summary-message.js";
import type { Operation } from "../../src/workflow/flow-vocabulary.js";
import { describeDeleteFates } from "../../src/workflow/preflight-message-parts.js";
import type { Preflight } from "../../src/workflow/preflight-types.js";
import { runPreflight } from "../../src/workflow/run-preflight.js";
import type { FlowParameters } from "../../src/workflow/types.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { render } from "../views/view-test-helpers.js";
import { createSpecFactory, useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const spec = createSpecFactory("next");
const EIP = "121.36.0.99";
const text = (kit: unknown) => collectMrkdwn(kit as ReturnType<typeof renderBlockKit>).join("\n");
const dataDisk = (name: string) => env.sim.control.server(name)!.disks.find((d) => d.bootIndex !== 0)!;

/** The preflight of `operation` on `name`, then the run of what it would have approved, as the bot runs it. */
async function preflightThenRun(operation: Operation, name: string, parameters: FlowParameters) {
  const preflight = await runPreflight(operation, [{ id: env.id(name), name }], parameters, env.cloud, {
    flow: env.flows[operation],
  });
  expect(preflight.blocking).toBe(false);
  const result = await executeFlow(
    spec(operation, preflight.snapshot, preflight.parameters),
    env.fresh().deps,
  );
  if (!result.ok) throw new Error(result.message);
  return { preflight, outcome: result.outcome };
}

/** The card's lines on the disks and EIPs of a delete, as text. */
function fates(preflight: Preflight): string {
  const kit = renderBlockKit({ text: "card", blocks: [context(...describeDeleteFates(preflight))] });
  return collectMrkdwn(kit).slice(1).join("\n");
}

describe("detach: the disk is kept, available, and the summary says how to attach it again", () => {
  it("names the device it had and the exact /ecs attach command", async () => {
    const disk = dataDisk("cache-02");
    const { preflight, outcome } = await preflightThenRun("detach", "cache-02", { volumeId: disk.id });
    expect(outcome.status).toBe("succeeded");
    const { kit, golden } = render(flowSummaryMessage(outcome, preflight));
    const words = text(kit);
    expect(words).toContain(
      `:floppy_disk: Disk \`${disk.id}\` (was \`${disk.device}\`) is kept, now available; to attach it again: \`/ecs attach cache-02 ${disk.id} ${disk.device}\`.`,
    );
    await expect(golden.replaceAll(disk.id, "<disk>")).toMatchFileSnapshot(
      "golden/summary-detach-what-next.json",
    );
  });

  it("a detach that failed says nothing of it: the disk is still attached", async () => {
    const disk = dataDisk("cache-02");
    env.sim.control.failNextJob({ reason: "disk busy" });
    const { preflight, outcome } = await preflightThenRun("detach", "cache-02", { volumeId: disk.id });
    expect(outcome.status).toBe("failed");
    expect(text(renderBlockKit(flowSummaryMessage(outcome, preflight)))).not.toContain("/ecs attach");
  });

  it("without the preflight (a details record lost), the summary is as before", async () => {
    const disk = dataDisk("cache-02");
    const { outcome } = await preflightThenRun("detach", "cache-02", { volumeId: disk.id });
    expect(text(renderBlockKit(flowSummaryMessage(outcome)))).not.toContain("attach it again");
  });
});

describe("delete: the card names what goes and what stays; the summary names what was kept", () => {
  it("--delete-volume, not --delete-eip: the disk deleted, the EIP kept (still billed)", async () => {
    env.sim.control.setServer(env.id("cache-02"), { publicIp: EIP });
    const disk = dataDisk("cache-02");
    const { preflight, outcome } = await preflightThenRun("delete", "cache-02", { deleteVolume: true });
    expect(fates(preflight)).toBe(
      `:wastebasket: *Deleted too:* data disk \`${disk.id}\` (\`${disk.device}\`)\n:package: *Kept* (still billed): EIP \`${EIP}\``,
    );
    expect(outcome.status).toBe("succeeded");
    const { kit, golden } = render(flowSummaryMessage(outcome, preflight));
    expect(text(kit)).toContain(`:package: *Kept* (not deleted, still billed): EIP \`${EIP}\``);
    expect(text(kit)).not.toContain(disk.id);
    await expect(golden).toMatchFileSnapshot("golden/summary-delete-kept-eip.json");
  });

  it("--delete-eip, not --delete-volume: the EIP released, the disk kept", async () => {
    env.sim.control.setServer(env.id("cache-02"), { publicIp: EIP });
    const disk = dataDisk("cache-02");
    const { preflight, outcome } = await preflightThenRun("delete", "cache-02", { deleteEip: true });
    expect(fates(preflight)).toBe(
      `:wastebasket: *Released too:* EIP \`${EIP}\`\n:package: *Kept* (still billed): data disk \`${disk.id}\` (\`${disk.device}\`)`,
    );
    const words = text(renderBlockKit(flowSummaryMessage(outcome, preflight)));
    expect(words).toContain(
      `:package: *Kept* (not deleted, still billed): data disk \`${disk.id}\` (\`${disk.device}\`)`,
    );
    expect(words).not.toContain(EIP);
  });

  it("both deleted: nothing kept, nothing said of it; a delete that failed keeps nothing either", async () => {
    env.sim.control.setServer(env.id("cache-02"), { publicIp: EIP });
    const both = await preflightThenRun("delete", "cache-02", { deleteVolume: true, deleteEip: true });
    expect(fates(both.preflight)).not.toContain("Kept");
    expect(text(renderBlockKit(flowSummaryMessage(both.outcome, both.preflight)))).not.toContain("Kept");

    env.sim.control.reset();
    env.sim.control.failNextJob({ reason: "no" });
    const failed = await preflightThenRun("delete", "cache-02", {});
    expect(failed.outcome.status).toBe("failed");
    expect(fates(failed.preflight)).toContain("*Kept* (still billed): data disk");
    expect(text(renderBlockKit(flowSummaryMessage(failed.outcome, failed.preflight)))).not.toContain("Kept");
  });
});
