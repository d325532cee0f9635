/**
 * A wave's re-check stops a run in waves because a server lost the tag that selected it (someone retagged it
 * during the pause): nothing failed, so the card and the summary say it stopped, and before which wave, under
 * the stop sign, never "Failed"; the thread says the drift once per message. The approval record, the audit
 * and the metrics keep it a failure to do all that was asked (never succeeded). End to end: signed Slack
 * requests, the simulated cloud, pauses through the harness clock.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import {
  type OperationsHarness,
  startOperationsHarness,
  textOf,
  WAVES_ON_THE_HARNESS_CLOCK,
} from "../e2e/helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ operations: { ...WAVES_ON_THE_HARNESS_CLOCK } });
});
afterAll(async () => {
  await h?.close();
});

/** The thread's wave list passing `check`. */
function waveList(card: FakeSlackMessage, check: (text: string) => boolean): Promise<FakeSlackMessage> {
  return h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("*Wave 1*") && check(textOf(m))),
  );
}

const count = (text: string, part: string) => text.split(part).length - 1;

it("a server retagged during the pause: stopped before wave 2 by its re-check, said once, not failed", async () => {
  const first = h.sim.control.addServer({
    name: "drift-1",
    status: "ACTIVE",
    tags: { env: "dev", grp: "drx" },
  });
  const second = h.sim.control.addServer({
    name: "drift-2",
    status: "ACTIVE",
    tags: { env: "dev", grp: "drx" },
  });
  // A graceful reboot needs no approval (the policy allows it): it starts at once.
  const command = "reboot tag:grp=drx --waves 2 --pause 10m";
  await h.command(command);
  const card = await h.waitCard(command);
  await waveList(card, (t) => t.includes("— done") && t.includes("Next wave after the pause"));
  h.sim.control.setServer(second.id, { tags: { env: "dev", grp: "other" } });
  h.clock.advance(11 * 60_000);
  const list = textOf(await waveList(card, (t) => t.includes("*Stopped:*")));
  const summary = await h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("your request finished")),
  );
  const final = await h.waitCard(command, (t) => t.includes("Stopped before wave 2 of 2"));
  await h.ops.idle();

  // Only wave 1 was sent.
  expect(h.mutations("batchRebootServers").map((r) => r.mutation?.serverIds)).toEqual([[first.id]]);

  // The card: stopped on purpose, where and why, not "Failed".
  const cardText = textOf(final);
  expect(cardText).toMatch(/^Stopped: \*reboot\* 2 servers/);
  expect(cardText).toContain(":octagonal_sign: *Stopped before wave 2 of 2:*");
  expect(cardText).toMatch(
    /\*Result:\* 1 restarted, 1 not started in [^.]+\. Wave 2 was not started: its re-check found its servers changed since it was asked, so nothing was sent to them\./,
  );
  expect(cardText).not.toMatch(/Failed|:x:/);

  // The summary: the stop sign and the stop, then the drift, once.
  expect(summary).toContain(
    ":octagonal_sign: *reboot* stopped before wave 2 of 2: 1 restarted, 1 not started",
  );
  expect(summary).not.toContain(":x:");
  expect(summary).toContain("The servers changed since the request was made:");
  expect(count(summary, "drift-2: no longer tagged grp=drx, the tag that selected it")).toBe(1);
  expect(count(summary, "grp=drx")).toBe(1);
  expect(summary).toContain("drift-2: now tagged grp=other");

  // Wave 2's own status message says the drift once too; the wave list says the wave's re-check stopped it.
  const wave2 = h
    .replies(card)
    .map(textOf)
    .find((t) => t.includes("*Wave 2 of 2*"));
  expect(wave2).toContain("nothing was sent");
  expect(count(wave2 ?? "", "grp=drx")).toBe(1);
  expect(list).toContain("*Wave 2* (1 server: drift-2) — stopped by its re-check: nothing was sent");

  // Kept a failure to do all that was asked: the approval record and the audit, never succeeded.
  const requestId = /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(final.blocks))?.[0] ?? "";
  const approval = (await h.store.get<ApprovalRequest>(`approval:${requestId}`))?.value;
  expect(approval?.status).toBe("failed");
  const [finished] = await h.audit.query({ requestId, type: "execution.finished", limit: 1 });
  expect(finished).toMatchObject({ outcome: "failed" });
  expect(finished?.detail?.error).toBe(
    "stopped before wave 2 of 2: 1 restarted, 1 not started; why: its re-check found its servers changed since it was asked, so nothing was sent to them",
  );
});
