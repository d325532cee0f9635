/**
 * `/ops audit apr_…` over the real bot: a request's trail in operator words. A break-glass request names its
 * break-glass reason once and the requester's `--reason` as "reason"; approval skipped by break-glass is said
 * so (not "by the policy"); a run's steps are said without the flow file's words, one line per step.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
} from "../e2e/helpers/operations-harness.js";

let h: OperationsHarness;
let shipped: string;
beforeAll(async () => {
  h = await startOperationsHarness();
  shipped = await readFile("flows/policy.yml", "utf8");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await resetApprovalWorld(h);
  h.sim.control.clearFaults();
  h.sim.control.setJobTiming({ initMs: 20, runningMs: 60 });
  await h.policy.replace(`${shipped.replace(/^# break_glass:[\s\S]*?(?=^\S)/m, "")}
break_glass:
  groups: [sre]
  alert_channel: ${IDS.prod}
`);
}, 60_000);

/** The `/ops audit` page of the newest request of `type`, as Alice reads it. */
async function auditOfLatest(type: "break_glass.used" | "request.created"): Promise<string> {
  const [entry] = await h.audit.query({ type, limit: 1 });
  await h.command(`audit ${entry?.requestId}`, { command: "/ops" });
  return h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Audit log")));
}

const lineWith = (text: string, needle: string) => text.split("\n").find((l) => l.includes(needle)) ?? "";

it("a break-glass request: its break-glass reason once, --reason as reason, approval by break-glass", async () => {
  await h.command(
    'stop web-01 --hard --reason "INC-9: docker 2375 open" --break-glass "approver asleep, exposed docker"',
  );
  await h.waitCard("/ecs stop web-01", (t) => t.includes("Done"));
  const text = await auditOfLatest("break_glass.used");
  const used = lineWith(text, "Break-glass used");
  expect(used.split("approver asleep, exposed docker")).toHaveLength(2);
  expect(used).toContain("— break-glass reason: approver asleep, exposed docker");
  const created = lineWith(text, "Request created");
  expect(created).toContain("— reason: INC-9: docker 2375 open");
  expect(created).toContain("— break-glass reason: approver asleep, exposed docker");
  expect(created).not.toContain("why:");
  expect(lineWith(text, "Request approved")).toContain("by break-glass (no approver)");
  expect(lineWith(text, "Approval counted")).toContain("by break-glass (no approver)");
  expect(text).not.toContain("the bot (policy)");
});

it("a run's trail speaks operator words, one line per step, every entry still numbered on the page", async () => {
  await h.command('stop web-03 --reason "INC-9: web-03 serving 500s"');
  await h.waitCard("/ecs stop web-03", (t) => t.includes("Done"));
  const [created] = await h.audit.query({ type: "request.created", limit: 1 });
  const all = await h.audit.query({ requestId: created!.requestId!, limit: 100 });
  const text = await auditOfLatest("request.created");
  expect(text).not.toMatch(/wait_stopped|ecs\.batch_stop|flows\/stop\.yml|laxer|\(executor\)/);
  expect(text).toContain("Stop sent to Huawei Cloud for 1 server");
  expect(text).toContain("Huawei Cloud accepted the stop: job");
  expect(text).toContain("the policy still allows it as approved");
  // Every entry's number is on the page (on its own line or on the line it is folded into)…
  for (const e of all) expect(text).toContain(`#${e.seq} `);
  // …and a step's start no longer has a line of its own.
  const bullets = text.split("\n").filter((l) => l.startsWith("• "));
  expect(bullets.length).toBeLessThan(all.length);
  expect(bullets.some((l) => l.includes("Step started"))).toBe(false);
  expect(text).toMatch(
    /Step finished\* — by the bot: Stop the servers: done — also #\d+ [\d:]+: step started/,
  );
});

it("a tag request's trail names its servers and what was sent; its entries record the names beside the IDs", async () => {
  await h.command(
    'stop tag:env=prod --hard --reason "INC-10" --break-glass "prod on fire, approvers asleep"',
  );
  await h.waitCard("/ecs stop tag:env=prod", (t) => t.includes("Done"));
  const [created] = await h.audit.query({ type: "request.created", limit: 1 });
  const ids = created!.serverIds;
  expect(ids.length).toBeGreaterThan(1);
  const names = ids.map((id) => h.sim.control.servers().find((s) => s.id === id)?.name);
  expect(created!.serverNames).toEqual(Object.fromEntries(ids.map((id, i) => [id, names[i]])));
  expect(created!.detail?.parameters).toEqual({ hard: true });
  const [finished] = await h.audit.query({
    type: "execution.finished",
    requestId: created!.requestId!,
    limit: 1,
  });
  expect(finished!.serverNames).toEqual(created!.serverNames);
  const text = await auditOfLatest("request.created");
  const server = (i: number) => `\`${names[i]}\` (\`${ids[i]!.slice(0, 8)}…\`)`;
  expect(lineWith(text, "Parameters: `hard=true`")).toContain(`Servers: ${server(0)}, ${server(1)}`);
  expect(text).toContain("Parameters sent: `type=HARD`");
  expect(text).toMatch(new RegExp(`Final states: [^\\n]*${names[0]}[^\\n]*SHUTOFF`));
});
