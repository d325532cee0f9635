/**
 * A nightly maintenance window, 01:30 to 02:30 London time, on the night London's clocks go back (31 Oct 2027:
 * 02:00 BST → 01:00 GMT at 01:00Z, so 01:00–01:59 comes twice), with a rule denying changes outside it. At 01:40
 * BST the window is open and a stop runs; once the clocks have gone back, at 01:10 GMT (before the written 01:30)
 * the window is closed: `/ops calendar` does not say it is in force and a stop is denied. Before, it stayed open
 * until 01:30 GMT.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness } from "../e2e/helpers/operations-harness.js";

const CALENDAR = `calendars:
  maint:
    kind: window
    description: Nightly maintenance, 01:30 to 02:30 London time.
    events:
      - cron: "30 1 * * *"
        duration: 1h
        time_zone: Europe/London
`;
const RULE = `
  - id: outside-maint-denied
    description: Changes only inside the maintenance window.
    actions: ["ecs:cloudServers:*"]
    match: { outside: [maint] }
    effect: { deny: "Outside the maintenance window." }
`;

let h: OperationsHarness;
beforeAll(async () => {
  // Its dates are fixed: the clock starts before the first of them, whatever the real date.
  h = await startOperationsHarness({ clockStartsAt: Date.parse("2027-03-01T00:00:00Z") });
  const shipped = await readFile("flows/policy.yml", "utf8");
  await h.policy.replace(`${shipped.replace(/^calendars:\n/m, CALENDAR)}\n${RULE}`);
});
afterAll(async () => {
  await h?.close();
});

/** Moves the harness clock (forward only) to `iso`. */
function moveTo(iso: string) {
  const at = Date.parse(iso);
  if (at < h.clock.now()) throw new Error(`the harness clock is past ${iso} already`);
  h.clock.advance(at - h.clock.now());
}

/** Asks `/ops calendar` and `/ecs stop <server>` as a requester who is not an approver; the two answers. */
async function calendarThenStop(server: string) {
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command("calendar", { command: "/ops" });
  const calendar = await h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(before)
      .find((t) => t.startsWith("Calendar:")),
  );
  const seen = h.ephemeralTexts(IDS.alice).length;
  const done = h.fake.messages(IDS.ops).filter((m) => (m.text ?? "").startsWith("Done")).length;
  await h.command(`stop ${server}`);
  const answer = await h.fake.waitFor(
    () =>
      h
        .ephemeralTexts(IDS.alice)
        .slice(seen)
        .find((t) => t.includes("Outside the maintenance window")) ??
      h.fake
        .messages(IDS.ops)
        .filter((m) => (m.text ?? "").startsWith("Done"))
        .slice(done)[0]?.text,
  );
  await h.ops.idle();
  return { calendar, answer };
}

it("at 01:40 BST (00:40Z, the first pass) the window is open and a stop runs", async () => {
  moveTo("2027-10-31T00:40:00Z");
  const { calendar, answer } = await calendarThenStop("web-03");
  expect(calendar).toContain("Calendar: maint in force now");
  expect(answer).not.toContain("Outside the maintenance window");
  expect(h.mutations("batchStopServers")).toHaveLength(1);
});

it("at 01:10 GMT (01:10Z, after the clocks went back, before 01:30) the window is closed and a stop is denied", async () => {
  moveTo("2027-10-31T01:10:00Z");
  const { calendar, answer } = await calendarThenStop("web-04");
  expect(calendar).toContain("Calendar: nothing in force now");
  expect(answer).toContain("Outside the maintenance window");
  expect(h.mutations("batchStopServers")).toHaveLength(1);
});
