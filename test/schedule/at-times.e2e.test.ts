/**
 * `--at` end to end over signed HTTP (fake Slack, whose requester's time zone is Europe/Berlin, the simulated
 * cloud, the harness's movable clock): impossible and far-off dates each get their own answer, and the
 * daylight-saving nights of Berlin are resolved explicitly: a time the clocks skip is refused, saying so, and a
 * time that comes twice is its next coming. Quoted values (`--at="22:30"`, `"--reason=disk full"`) are read as
 * a shell reads them, and an unterminated quote is refused, saying after which flag, with nothing asked.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  // Its dates are fixed: the clock starts before the first of them, whatever the real date.
  h = await startOperationsHarness({ clockStartsAt: Date.parse("2026-12-01T00:00:00Z") });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
});

const setClock = (iso: string) => {
  const to = Date.parse(iso);
  if (to < h.clock.now()) throw new Error(`the clock is past ${iso} already`);
  h.clock.advance(to - h.clock.now());
};

/** Asks `/ecs stop <server> --at <at>`; the requester's answer (a scheduled change is cancelled again unless told). */
async function stopAt(at: string, server: string, cancel = true): Promise<string> {
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command(`stop ${server} --at ${at}`);
  const said = await h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(before)
      .find((t) => t.includes("Scheduled") || t.includes("was not requested") || t.includes("needs")),
  );
  await h.bot.idle();
  const card = h.latest(`/ecs stop ${server} --at ${at}`);
  if (cancel && card !== undefined && !said.includes("was not requested")) {
    await h.click(card, "ops.approval.cancel", IDS.alice);
    await h.bot.idle();
  }
  return said;
}
const slackDate = (iso: string) => `<!date^${Date.parse(iso) / 1000}^`;

it("not a date, in the past, more than 30 days ahead: three different answers, nothing requested", async () => {
  setClock("2026-12-07T12:00:00Z");
  const before = h.mutations().length;
  expect(await stopAt("2026-02-30T10:00", "web-03")).toContain(
    "`--at 2026-02-30T10:00` is not a date: February 2026 has 28 days",
  );
  expect(await stopAt("2026-12-07T10:00", "web-03")).toContain(
    "`--at 2026-12-07T10:00` is in the past: it is now 13:00 on Monday 7 December 2026 in Europe/Berlin",
  );
  const far = await stopAt("2028-01-10T12:00", "web-03");
  expect(far).toContain("`--at 2028-01-10T12:00` is more than 30 days ahead");
  expect(far).not.toContain("past");
  expect(await stopAt("2028-01-10T12:00+01:00", "web-03")).toContain("more than 30 days ahead");
  expect(h.mutations().length).toBe(before);
  expect(h.latest("/ecs stop web-03 --at")).toBeUndefined();
});

it("the spring-forward night: 02:30 does not exist in Berlin on 28 March 2027, and the requester is told", async () => {
  setClock("2027-03-27T12:00:00Z");
  const said = await stopAt("02:30", "web-03");
  expect(said).toContain("was not requested");
  expect(said).toContain("does not exist");
  expect(said).toContain("Sunday 28 March 2027");
  expect(said).toContain("from 02:00 to 03:00");
  expect(said).not.toContain("Scheduled");
  // 03:00 that night exists (the first minute of summer time).
  expect(await stopAt("03:00", "web-03")).toContain(slackDate("2027-03-28T01:00:00Z"));
});

it("the fall-back night: asked at 02:45 summer time, 02:30 is the winter-time one 45 minutes later", async () => {
  setClock("2027-10-31T00:45:00Z"); // 02:45 CEST
  const said = await stopAt("02:30", "web-04", false);
  expect(said).toContain(slackDate("2027-10-31T01:30:00Z"));
  const card = h.latest("/ecs stop web-04 --at 02:30");
  expect(textOf(card)).toContain(slackDate("2027-10-31T01:30:00Z"));
  await h.click(card!, "ops.approval.cancel", IDS.alice);
  await h.bot.idle();
});

it("quoted flag values read as a shell reads them; an unterminated quote is refused, saying where, nothing asked", async () => {
  setClock("2027-11-02T12:00:00Z"); // 13:00 CET
  const mutations = h.mutations().length;
  const cards = h.fake.messages(IDS.ops).length;
  // Unterminated: the exact answer, and nothing requested (no card, no call, nothing pending).
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command('stop web-03 --at="22:30" --reason="disk full');
  const refused = await h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(before)
      .find((t) => t.includes("never closed")),
  );
  await h.bot.idle();
  expect(refused).toContain('after `--reason=`, is never closed. Close it with a matching quote (`"`).');
  expect(h.fake.messages(IDS.ops).length).toBe(cards);

  // The value quoted after `=`, and the whole flag quoted: a change at 22:30 tonight, with its reason.
  await h.command('stop web-03 --at="22:30" "--reason=disk full"');
  const card = await h.waitCard('/ecs stop web-03 --at="22:30"', (t) => t.includes("Scheduled"));
  const text = textOf(card);
  expect(text).toContain(slackDate("2027-11-02T21:30:00Z"));
  expect(text).toContain("*Why:* disk full");
  expect(text).not.toContain("is not a server name");
  await h.click(card, "ops.approval.cancel", IDS.alice);
  await h.bot.idle();
  expect(h.mutations().length).toBe(mutations);
});
