import { describe, expect, it } from "vitest";
import { buildJobFollowUpView } from "../../src/operations/build-job-follow-up-view.js";
import type { BlockKitMessage } from "../../src/render/render-block-kit.js";
import { renderPlainText } from "../../src/render/render-plain-text.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { render } from "../views/view-test-helpers.js";

const ENDED = Date.UTC(2025, 2, 4, 9, 30, 0);
const JOB = "ff80808295fb4d570195fd6a5b1c0a22";
const HOSTILE = "*bold* <!channel> `x` _y_";

/** No control sequence but our own mention of the requester and our dates: a name stays text. */
function expectHarmless(kit: BlockKitMessage): void {
  for (const text of collectMrkdwn(kit)) {
    const ours = text.replaceAll("<@U_ALICE>", "").replace(/<!date\^\d+\^[^|>]+\|[^>]+>/g, "");
    expect(ours).not.toMatch(/<!|<@|<#|<https?:/);
  }
}

describe("buildJobFollowUpView", () => {
  it("the job finished later: what and when, each server as read then, the run's outcome left as it was", async () => {
    const { kit, golden } = render(
      buildJobFollowUpView({
        jobId: JOB,
        verb: "stop",
        requesterId: "U_ALICE",
        runEndedAt: ENDED,
        ending: { kind: "finished", status: "SUCCESS", at: ENDED + 42 * 60_000 },
        servers: [
          { id: "s-1", name: "web-01", subJob: { status: "SUCCESS" }, now: "SHUTOFF" },
          { id: "s-2", name: HOSTILE, subJob: { status: "SUCCESS" }, now: "NOT_FOUND" },
        ],
        more: 0,
      }),
    );
    expectHarmless(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain(
      "<@U_ALICE>, update on your *stop* (its outcome was unknown): Huawei Cloud finished it, *succeeded*, at",
    );
    expect(text).toContain("42m after the run ended");
    // The push preview: the outcome, the verb and the servers first, never the job's ID.
    expect(kit.text).toMatch(/^Update: stop web-01, .* succeeded after all \(Huawei Cloud, 42m later\)$/);
    expect(kit.text).not.toContain(JOB);
    expect(text).toContain("the run's recorded outcome stays as it ended");
    expect(text).not.toContain("<!channel>");
    await expect(golden).toMatchFileSnapshot("golden/job-follow-up-finished.json");
  });

  it("the job failed later: its reason, sub-jobs' reasons, servers not read and more than were read", async () => {
    const { kit, golden } = render(
      buildJobFollowUpView({
        jobId: JOB,
        verb: "reboot",
        runEndedAt: ENDED,
        ending: { kind: "finished", status: "FAIL", at: ENDED + 3 * 60 * 60_000, failReason: "Ecs.0001 <b>" },
        servers: [
          {
            id: "s-1",
            name: "db-01",
            subJob: { status: "FAIL", failReason: "server busy" },
            now: "ACTIVE (rebooting)",
          },
          { id: "s-2", name: "db-02", now: "UNREADABLE" },
        ],
        more: 3,
      }),
    );
    expectHarmless(kit);
    expect(JSON.stringify(kit)).toContain("Huawei Cloud finished it, *failed* (Ecs.0001 &lt;b&gt;), at");
    expect(kit.text).toMatch(/^Update: reboot .*db-01.*db-02.* \+3 more failed \(Huawei Cloud, 3h later\)$/);
    await expect(golden).toMatchFileSnapshot("golden/job-follow-up-failed.json");
  });

  it("the job was gone, and the bot gave up after a day: said so, with what to check", async () => {
    const gone = render(
      buildJobFollowUpView({
        jobId: JOB,
        verb: "delete",
        requesterId: "U_ALICE",
        runEndedAt: ENDED,
        ending: { kind: "gone", at: ENDED + 20 * 60_000 },
        servers: [{ id: "s-1", name: HOSTILE, now: "NOT_FOUND" }],
        more: 0,
      }),
    );
    expectHarmless(gone.kit);
    await expect(gone.golden).toMatchFileSnapshot("golden/job-follow-up-gone.json");
    const message = buildJobFollowUpView({
      jobId: JOB,
      verb: "stop",
      requesterId: "U_ALICE",
      runEndedAt: ENDED,
      ending: {
        kind: "gave_up",
        at: ENDED + 24 * 60 * 60_000,
        followedForMs: 24 * 60 * 60_000,
        lastStatus: "RUNNING",
      },
      servers: [{ id: "s-1", name: "web-01" }],
      more: 0,
    });
    const gaveUp = render(message);
    expectHarmless(gaveUp.kit);
    const plain = renderPlainText(message);
    expect(plain).toContain(
      "Huawei Cloud had still not finished it after 1d (last seen running), so the bot stopped following it",
    );
    await expect(gaveUp.golden).toMatchFileSnapshot("golden/job-follow-up-gave-up.json");
  });
});
