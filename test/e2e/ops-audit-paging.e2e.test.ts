/**
 * `/ops audit <server>`: a history longer than one message is read back in time, page by page, through the
 * view's "Older entries" button (and `--before` typed by hand), end to end (signed Slack requests over HTTP,
 * the fake Slack's response_url replacing the ephemeral in place). Every entry is seen exactly once and in
 * order, also where many entries share one millisecond; other servers' entries never show.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { AUDIT_PAGE_ACTION } from "../../src/operations/build-audit-view.js";
import { clickEphemeralButton } from "../helpers/click-ephemeral-button.js";
import { runOpsCommand } from "../helpers/run-ops-command.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const ENTRIES = 130;
let h: OperationsHarness;
/** web-04's entries, newest first, as the audit log numbered them. */
let expected: number[] = [];

beforeAll(async () => {
  // The buttons' handler is registered by `createOperations`, as in production.
  h = await startOperationsHarness({ sweepIntervalMs: 60 * 60_000 });
  const web04 = h.serverId("web-04");
  const web03 = h.serverId("web-03");
  const at = h.clock.now();
  const seqs: number[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    // Seven entries per millisecond, and another server's entry between some of them.
    if (i % 5 === 0) {
      await h.audit.record({
        type: "policy.decided",
        at: at + Math.floor(i / 7),
        actorId: IDS.bob,
        action: "ecs:cloudServers:reboot",
        decision: "allow",
        serverIds: [web03],
        ruleIds: ["other-server"],
        message: `/ecs reboot web-03 --reason "OTHER-${i}"`,
      });
    }
    const entry = await h.audit.record({
      type: "policy.decided",
      at: at + Math.floor(i / 7),
      actorId: IDS.alice,
      action: "ecs:cloudServers:reboot",
      decision: "needs_approval",
      serverIds: [web04],
      ruleIds: ["hard-power-needs-approval"],
      message: `/ecs reboot web-04 --hard --reason "CHG-${1000 + i} a reason long enough to fill the message"`,
    });
    seqs.push(entry.seq);
  }
  expected = seqs.reverse();
});
afterAll(async () => {
  await h?.close();
});

/** The entry numbers a page shows (`#4521` in each title), in order. */
const shownOn = (text: string) => [...text.matchAll(/^• \*#(\d+) /gm)].map((m) => Number(m[1]));
const buttonsOf = (message: { blocks?: unknown[] }) =>
  (message.blocks ?? []).flatMap((b) => {
    const block = b as { type: string; elements?: { action_id: string; value: string }[] };
    return block.type === "actions" ? (block.elements ?? []) : [];
  });

/** The ephemeral as it stands now (the fake hands out copies; a click replaces it in place). */
const now = (message: { ts: string }, user = IDS.erin) => {
  const found = h.fake.ephemerals({ user }).find((e) => e.ts === message.ts);
  if (found === undefined) throw new Error("the ephemeral is gone");
  return found;
};

const ops = (args: string, user: string = IDS.erin) => runOpsCommand(h, args, user);

it("clicking Older twice shows every entry of a 130-entry history exactly once, newest first", async () => {
  let page = await ops("audit web-04 100");
  const pages: string[] = [textOf(page)];
  expect(pages[0]).toContain("*Audit log* for `web-04` — entries 1–");
  for (let click = 0; click < 5; click++) {
    const older = buttonsOf(page).find((b) => b.action_id === `${AUDIT_PAGE_ACTION}.older`);
    if (older === undefined) break;
    const cursor = Number(JSON.parse(older.value).beforeSeq);
    const res = await clickEphemeralButton(h, page, IDS.erin, older.action_id);
    expect(res.status).toBe(200);
    // The ephemeral is replaced in place by the older page.
    page = await h.fake.waitFor(() => {
      const replaced = now(page);
      return textOf(replaced).includes(`older than #${cursor}`) ? replaced : undefined;
    });
    pages.push(textOf(page));
  }
  // As many as fit a message a page (each entry names its servers): the first page, then a click a page; the
  // last page says nothing is older.
  expect(pages.length).toBeGreaterThanOrEqual(3);
  const seen = pages.flatMap(shownOn);
  expect(seen).toEqual(expected);
  expect(new Set(seen).size).toBe(ENTRIES);
  // Each page continues right after the oldest entry the one before showed, and says so.
  let offset = 0;
  for (const [i, text] of pages.entries()) {
    const shown = shownOn(text);
    expect(shown.length).toBeGreaterThan(0);
    if (i > 0)
      expect(text).toContain(
        `entries ${offset + 1}–${offset + shown.length} older than #${expected[offset - 1]}`,
      );
    offset += shown.length;
    expect(text).not.toContain("OTHER-");
    expect(text).not.toMatch(/…and \d+ more/);
  }
  expect(pages.at(-1)).toContain("No older entries for `web-04`.");
  expect(buttonsOf(page).map((b) => b.action_id)).toEqual([`${AUDIT_PAGE_ACTION}.newest`]);
  // Newest entries: back to the first page.
  await clickEphemeralButton(h, page, IDS.erin, `${AUDIT_PAGE_ACTION}.newest`);
  const newest = await h.fake.waitFor(() => {
    const replaced = textOf(now(page));
    return replaced.includes("entries 1–") ? replaced : undefined;
  });
  expect(shownOn(newest)).toEqual(shownOn(pages[0]!));
});

it("--before typed by hand shows the same older entries as the button", async () => {
  const first = await ops("audit web-04 100");
  const firstShown = shownOn(textOf(first));
  const cursor = firstShown.at(-1)!;
  expect(textOf(first)).toContain(`\`/ops audit web-04 100 --before ${cursor}\``);
  const typed = textOf(await ops(`audit web-04 100 --before ${cursor}`));
  const typedShown = shownOn(typed);
  expect(typedShown[0]).toBe(expected[firstShown.length]);
  expect(typedShown).toEqual(expected.slice(firstShown.length, firstShown.length + typedShown.length));
  expect(typed).toContain(`${typedShown.length} entries older than #${cursor}, newest first`);
});

it("a click whose value is not a page query is told to run the command again", async () => {
  const page = await ops("audit web-04 5");
  const forged = {
    ...page,
    blocks: (page.blocks ?? []).map((b) => {
      const block = b as { type: string; elements?: { value: string }[] };
      return block.type === "actions"
        ? { ...block, elements: (block.elements ?? []).map((e) => ({ ...e, value: '{"limit":500}' })) }
        : b;
    }),
  };
  const res = await clickEphemeralButton(h, forged, IDS.erin, `${AUDIT_PAGE_ACTION}.older`);
  expect(res.status).toBe(200);
  await h.fake.waitFor(() => (textOf(now(page)).includes("Run the command again") ? true : undefined));
});
