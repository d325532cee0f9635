/**
 * A nightly freeze on the night Berlin's clocks go back (31 Oct 2027: 02:00–02:59 comes twice) is in force for all
 * of its occurrence, end to end: at 03:15 winter time a stop it denies is denied, and `/ops calendar` says the
 * freeze is in force. Before, the bot let the stop run and said nothing was in force.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness } from "../e2e/helpers/operations-harness.js";

const CALENDAR = `calendars:
  night-freeze:
    kind: freeze
    description: Nightly batch jobs, 02:00 to 04:00 Berlin time, no changes.
    events:
      - cron: "0 2 * * *"
        duration: 2h
        time_zone: Europe/Berlin
`;
const RULE = `
  - id: night-freeze-denies
    description: No changes during the nightly batch.
    actions: ["ecs:cloudServers:*"]
    match: { during: [night-freeze] }
    effect: { deny: "Nightly batch freeze." }
`;

let h: OperationsHarness;
beforeAll(async () => {
  // Its dates are fixed: the clock starts before the first of them, whatever the real date.
  h = await startOperationsHarness({ clockStartsAt: Date.parse("2027-10-01T00:00:00Z") });
  const shipped = await readFile("flows/policy.yml", "utf8");
  await h.policy.replace(`${shipped.replace(/^calendars:\n/m, CALENDAR)}\n${RULE}`);
  // 03:15 CET, the second time the clocks read 02:00–04:00 that night: the harness clock moves forward only.
  const at = Date.parse("2027-10-31T02:15:00Z");
  if (at < h.clock.now()) throw new Error("the harness clock is past 31 October 2027 already");
  h.clock.advance(at - h.clock.now());
});
afterAll(async () => {
  await h?.close();
});

it("at 03:15 Berlin time on 31 Oct 2027, /ops calendar shows the freeze in force and a stop is denied", async () => {
  await h.command("calendar", { command: "/ops" });
  const calendar = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.startsWith("Calendar:")),
  );
  expect(calendar).toContain("Calendar: night-freeze in force now");
  // Until 04:00 CET, two hours after the first 02:00 (summer time, 00:00Z) and after the second (01:00Z).
  expect(calendar).toContain("freeze `night-freeze` until <!date^1824951600^");
  expect(calendar).toContain("|2027-10-31 03:00 UTC>");

  await h.command("stop web-03");
  const answer = await h.fake.waitFor(
    () =>
      h.ephemeralTexts(IDS.alice).find((t) => t.includes("Nightly batch freeze")) ??
      h.fake.messages(IDS.ops).find((m) => (m.text ?? "").startsWith("Done"))?.text,
  );
  await h.ops.idle();
  expect(answer).toContain("Nightly batch freeze");
  expect(h.mutations("batchStopServers")).toHaveLength(0);
});
