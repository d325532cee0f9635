/**
 * `/hss hosts` over signed Slack requests and the simulated HSS: agents being installed or whose
 * installation failed are not counted offline, a protection exception is not "off", and a page click
 * shows the counts of the listing it pages (kept with its snapshot), new buckets included.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { SLACK_IDS } from "../../../src/sandbox/slack/index.js";
import { IDS, type OperationsHarness, startOperationsHarness } from "../../e2e/helpers/operations-harness.js";
import { blocksText, findElement } from "../../helpers/read-slack-blocks.js";
import { sendBlockAction } from "../../helpers/slack-requests.js";

let h: OperationsHarness;
beforeAll(async () => {
  // More hosts than a page (20), so the answer keeps a snapshot for its page clicks.
  h = await startOperationsHarness({ servers: 45 });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

function answer(pattern: RegExp) {
  return h.fake.waitFor(() =>
    h.fake.ephemerals({ user: IDS.alice }).find((e) => pattern.test(blocksText(e.blocks))),
  );
}

const summaryOf = (text: string) => text.match(/agent .*? with risks/)?.[0] ?? "";

it("counts installing and install_failed agents apart from offline, and a protection exception as an error, on every page", async () => {
  const servers = h.sim.control.servers();
  const agents = (status: string) =>
    h.sim.control.servers().filter((s) => h.sim.control.host(s.id)?.agentStatus === status).length;
  const before = {
    offline: agents("offline"),
    installing: agents("installing"),
    failed: agents("install_failed"),
  };
  const reporting = servers.filter((s) => {
    const agent = h.sim.control.host(s.id)?.agentStatus;
    return agent === "online" && s.status === "ACTIVE";
  });
  h.sim.control.setHost(reporting[0]!.id, { agentStatus: "installing" });
  h.sim.control.setHost(reporting[1]!.id, { agentStatus: "installing" });
  h.sim.control.setHost(reporting[2]!.id, { agentStatus: "install_failed" });
  h.sim.control.setHost(reporting[3]!.id, { protectStatus: "protection_exception" });
  // What HSS reports of these hosts: installing and install_failed, none of them offline.
  expect(agents("offline")).toBe(before.offline);

  await h.command("hosts", { command: "/hss" });
  const first = await answer(/HSS hosts[\s\S]*Showing 1–20/);
  const summary = summaryOf(blocksText(first.blocks));
  expect(summary).toContain(`:red_circle: ${before.offline} offline`);
  expect(summary).toContain(`:hourglass_flowing_sand: ${before.installing + 2} installing`);
  expect(summary).toContain(`:x: ${before.failed + 1} install failed`);
  expect(summary).toMatch(/:warning: \d+ error/);

  const next = findElement(first.blocks, "q.page.next");
  await sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({
      user: SLACK_IDS.alice,
      message: first,
      isEphemeral: true,
      actions: [{ actionId: "q.page.next", value: next?.value ?? "" }],
    }),
  );
  const second = await answer(/HSS hosts[\s\S]*Showing 21–40/);
  expect(summaryOf(blocksText(second.blocks))).toBe(summary);
});
