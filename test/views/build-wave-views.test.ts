import { describe, expect, it } from "vitest";
import {
  buildWaveControlReply,
  buildWaveProgressView,
  buildWavesRefusalView,
  describeWavePlan,
} from "../../src/views/build-wave-views.js";
import { planWaves } from "../../src/waves/plan-waves.js";
import type { WaveRunRecord } from "../../src/waves/wave-run-record.js";
import { collectMrkdwn, collectPlainText } from "../render/block-kit-test-helpers.js";
import { HOSTILE_NAMES } from "./fixtures.js";
import { expectHarmless, interactiveElements, render } from "./view-test-helpers.js";

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

function record(patch: Partial<WaveRunRecord> = {}): WaveRunRecord {
  return {
    schema: 1,
    runId: "run_x",
    requestId: "apr_x",
    pauseMs: 300_000,
    maxFailures: 1,
    maxFailuresText: "10%",
    waves: [
      { serverIds: ["a", "b"], status: "failed", succeeded: 1, failed: 1, unhealthy: ["b"] },
      { serverIds: ["c", "d"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
    ],
    status: "stopped_failures",
    control: "run",
    startedAt: NOW - 60_000,
    finishedAt: NOW,
    ...patch,
  };
}
const names = (id: string) =>
  ({ a: "web-01", b: "web-02", c: "web-03", d: "web-04", e: "cache-01" })[id] ?? id;

describe("wave views", () => {
  it("a run stopped at its failure threshold: a line per wave, totals, no buttons", async () => {
    const { kit, golden } = render(buildWaveProgressView(record(), names, NOW));
    expect(interactiveElements(kit)).toEqual([]);
    await expect(golden).toMatchFileSnapshot("golden/waves-stopped.json");
  });

  it("a wave stopped by its re-check: changed or could not be read, never only 'changed'", async () => {
    const stopped = record({
      status: "stopped_drift",
      waves: [
        { serverIds: ["a", "b"], status: "done", succeeded: 2, failed: 0, unhealthy: [] },
        { serverIds: ["c", "d"], status: "failed", succeeded: 0, failed: 0, unhealthy: [] },
        { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      ],
    });
    const { kit, golden } = render(buildWaveProgressView(stopped, names, NOW));
    const text = collectMrkdwn(kit).join("\n");
    // The wave record does not keep why: a re-check also stops a wave whose servers the cloud did not answer for.
    expect(text).toContain(
      "*Stopped:* the re-check of a wave stopped it (its servers changed since approval, or could not be read); nothing more was sent",
    );
    // Nothing of the stopped wave was sent: not "0 failed", and its servers are counted as not run.
    expect(text).toContain(
      "*Wave 2* (2 servers: web-03, web-04) — stopped by its re-check: nothing was sent",
    );
    expect(text).toContain("*Totals:* 2 ok · 0 failed or unknown · 3 not run");
    await expect(golden).toMatchFileSnapshot("golden/waves-stopped-recheck.json");
  });

  it("a wave stopped by its re-check in a run nobody approved (the policy allowed it): since it was asked", () => {
    const stopped = record({
      status: "stopped_drift",
      approved: false,
      waves: [
        { serverIds: ["a", "b"], status: "done", succeeded: 2, failed: 0, unhealthy: [] },
        { serverIds: ["c", "d"], status: "failed", succeeded: 0, failed: 0, unhealthy: [] },
        { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      ],
    });
    const text = collectMrkdwn(render(buildWaveProgressView(stopped, names, NOW)).kit).join("\n");
    expect(text).toContain(
      "*Stopped:* the re-check of a wave stopped it (its servers changed since it was asked, or could not be read); nothing more was sent",
    );
    expect(text).not.toContain("approval");
  });

  it("a run stopped by the check before a wave says which and why (escaped) in its headline", async () => {
    const stopped = record({
      status: "aborted",
      waves: [
        { serverIds: ["a", "b"], status: "done", succeeded: 2, failed: 0, unhealthy: [] },
        { serverIds: ["c", "d"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
        { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      ],
      stop: { kind: "check", beforeWave: 2, why: "the maintenance window <!channel> closed at 12:00 UTC." },
    });
    const { kit, golden } = render(buildWaveProgressView(stopped, names, NOW));
    expectHarmless(kit);
    expect(JSON.stringify(kit)).toContain(
      "*Stopped* before wave 2: the maintenance window &lt;!channel&gt; closed at 12:00 UTC; the later waves were not run",
    );
    await expect(golden).toMatchFileSnapshot("golden/waves-stopped-check.json");
  });

  it("a wave's failures under the limit are a warning; the wave that reached the limit says so", () => {
    const stopped = record({
      maxFailures: 2,
      maxFailuresText: "2",
      waves: [
        { serverIds: ["a", "b"], status: "failed", succeeded: 1, failed: 1, unhealthy: [] },
        { serverIds: ["c", "d"], status: "failed", succeeded: 1, failed: 1, unhealthy: ["d"] },
        { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      ],
    });
    const text = collectMrkdwn(render(buildWaveProgressView(stopped, names, NOW)).kit).join("\n");
    expect(text).toContain(":warning: *Wave 1* (2 servers: web-01, web-02) — 1 failed or unknown · 1 ok\n");
    expect(text).toContain(
      ":x: *Wave 2* (2 servers: web-03, web-04) — 1 failed or unknown (1 not healthy in time) · 1 ok — the limit was reached here",
    );
    expect(text).toContain("*Totals:* 2 ok · 2 failed or unknown · 1 not run");
  });

  it("a paused run offers Resume and Abort (with a confirmation), the next wave's pause left", async () => {
    const paused = record({
      status: "running",
      control: "paused",
      controlBy: "U_ALICE",
      finishedAt: undefined,
      nextWaveAt: NOW + 120_000,
      waves: [
        { serverIds: ["a", "b"], status: "done", succeeded: 2, failed: 0, unhealthy: [] },
        { serverIds: ["c", "d"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
        { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      ],
    });
    delete paused.finishedAt;
    const { kit, golden } = render(buildWaveProgressView(paused, names, NOW));
    expect(interactiveElements(kit).map((e) => e.action_id)).toEqual(["ops.waves.resume", "ops.waves.abort"]);
    await expect(golden).toMatchFileSnapshot("golden/waves-paused.json");
  });

  it("servers a wave left out (nothing to do) are counted skipped, never ok, in the wave and the totals", async () => {
    const finished = record({
      status: "succeeded",
      waves: [
        { serverIds: ["a", "b"], status: "done", succeeded: 1, skipped: 1, failed: 0, unhealthy: [] },
        { serverIds: ["e"], status: "done", succeeded: 0, skipped: 1, failed: 0, unhealthy: [] },
        // The last wave: its failure ends the run as finished, the threshold reached by then or not.
        { serverIds: ["c", "d"], status: "failed", succeeded: 0, skipped: 1, failed: 1, unhealthy: [] },
      ],
    });
    const { kit, golden } = render(buildWaveProgressView(finished, names, NOW));
    const text = collectMrkdwn(kit).join("\n");
    expect(text).toContain("*Wave 1* (2 servers: web-01, web-02) — done: 1 ok · 1 skipped");
    expect(text).toContain("*Wave 2* (1 server: cache-01) — done: 0 ok · 1 skipped");
    expect(text).toContain("*Wave 3* (2 servers: web-03, web-04) — 1 failed or unknown · 0 ok · 1 skipped");
    expect(text).toContain("*Totals:* 1 ok · 3 skipped · 1 failed or unknown · 0 not run");
    await expect(golden).toMatchFileSnapshot("golden/waves-skipped.json");
  });

  it("server names from the cloud are escaped", () => {
    const hostile = record({
      waves: [
        { serverIds: HOSTILE_NAMES.slice(0, 4), status: "done", succeeded: 4, failed: 0, unhealthy: [] },
      ],
    });
    const { kit } = render(buildWaveProgressView(hostile, (id) => id, NOW));
    expectHarmless(kit);
  });

  it("the plan on the card, the refusal, the click answers", async () => {
    const plan = planWaves(["a", "b", "c", "d", "e"], {
      waves: 3,
      pauseMs: 300_000,
      maxFailures: { kind: "percent", value: 10 },
    });
    if (!plan.ok) throw new Error(plan.error);
    expect(collectPlainText(render({ text: "x", blocks: [] }).kit)).toBeDefined();
    const line = describeWavePlan(plan.plan)
      .map((s) => ("v" in s ? s.v : ""))
      .join("");
    expect(line).toBe(
      "3 waves (2, 2, 1 servers) · 5m pause between waves · stops at 1 failed or unknown server (10%)",
    );
    const { golden } = render(
      buildWavesRefusalView(
        "/ecs reboot web-01 --waves 3",
        "`--waves 3` is more waves than the 1 server; use at most `--waves 1`",
      ),
    );
    await expect(golden).toMatchFileSnapshot("golden/waves-refused.json");
    for (const outcome of [
      "paused",
      "resumed",
      "aborting",
      "not_allowed",
      "being_aborted",
      "aborted",
      "finished",
      "unchanged",
      "unknown",
    ] as const)
      expect(render(buildWaveControlReply(outcome)).kit.blocks.length).toBe(1);
  });

  it("a run being aborted offers no buttons: neither Pause nor Resume takes the Abort back", async () => {
    const aborting = record({
      status: "running",
      control: "aborting",
      controlBy: "U_ALICE",
      waves: [
        { serverIds: ["a", "b"], status: "running", succeeded: 0, failed: 0, unhealthy: [] },
        { serverIds: ["c", "d"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
        { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      ],
    });
    delete aborting.finishedAt;
    const { kit, golden } = render(buildWaveProgressView(aborting, names, NOW));
    expect(interactiveElements(kit)).toEqual([]);
    expect(collectMrkdwn(kit).join("\n")).toContain(
      "*Aborting* by <@U_ALICE>: the running wave finishes, nothing more starts",
    );
    await expect(golden).toMatchFileSnapshot("golden/waves-aborting.json");
  });

  it("servers whose outcome is unknown are counted as the limit counts them: failed or unknown, never 'failed'", () => {
    // The wave record counts a server whose job did not finish in time with the failed ones.
    const unknown = record({
      status: "stopped_failures",
      waves: [
        { serverIds: ["a", "b"], status: "failed", succeeded: 0, failed: 2, unhealthy: [] },
        { serverIds: ["c", "d"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
        { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      ],
    });
    const view = buildWaveProgressView(unknown, names, NOW);
    const text = collectMrkdwn(render(view).kit).join("\n");
    expect(text).toContain(
      "*Stopped:* 2 failed or unknown servers reached the limit of 1; the later waves were not run",
    );
    expect(text).toContain("— 2 failed or unknown · 0 ok — the limit was reached here");
    expect(text).toContain("*Totals:* 0 ok · 2 failed or unknown · 3 not run");
    expect(text).toContain("Stops at 1 failed or unknown server (10%)");
    expect(text).not.toMatch(/\d failed(?! or unknown)/);
    const finished = record({
      status: "succeeded",
      maxFailures: 5,
      maxFailuresText: "5",
      waves: [{ serverIds: ["a", "b", "c", "d"], status: "failed", succeeded: 0, failed: 4, unhealthy: [] }],
    });
    const done = buildWaveProgressView(finished, names, NOW);
    expect(collectMrkdwn(render(done).kit).join("\n")).toContain(
      ":warning: *Waves finished* with 4 failed or unknown servers",
    );
    expect(render(done).kit.text).toBe("Waves: 0 ok, 4 failed or unknown, 0 not run");
  });

  it("a stale click on a run being aborted or aborted says the click did nothing, and who, never that nothing changed", async () => {
    const being = render(buildWaveControlReply("being_aborted", "U_ALICE"));
    expect(collectMrkdwn(being.kit).join("\n")).toContain(
      "Your click did nothing: <@U_ALICE> is aborting these waves (the running wave finishes; no more waves start).",
    );
    await expect(being.golden).toMatchFileSnapshot("golden/waves-click-being-aborted.json");
    const aborted = render(buildWaveControlReply("aborted", "U_ALICE"));
    expect(collectMrkdwn(aborted.kit).join("\n")).toContain(
      "Your click did nothing: <@U_ALICE> already aborted these waves. Waves that ran before the abort may have changed servers",
    );
    // Earlier waves may have changed servers: no answer may read as if none was touched.
    for (const m of [being, aborted]) expect(JSON.stringify(m.golden)).not.toMatch(/nothing changed/i);
    await expect(aborted.golden).toMatchFileSnapshot("golden/waves-click-aborted.json");
    // Who aborted, when the record does not say: still the answer, without a name.
    expect(collectMrkdwn(render(buildWaveControlReply("aborted")).kit).join("\n")).toContain(
      "Your click did nothing: these waves were already aborted.",
    );
  });
});
