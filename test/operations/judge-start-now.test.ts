/**
 * When an approved scheduled change starts, judged now as the gate will judge it (`judgeStartNow`): its time,
 * its moved window's new opening within the approved span, or never; a stable instant once it is due, so that
 * the periodic pass redraws a card only when the calendar moved.
 */
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import { judgeStartNow, startNowKey } from "../../src/operations/judge-start-now.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import { makeRequest, T0 } from "./fixtures.js";

const MINUTE = 60_000;
const m = (minutes: number) => T0 + minutes * MINUTE;
const iso = (minutes: number) => new Date(m(minutes)).toISOString();

/** A policy whose only calendar is the window `maint` with the given openings (none: no window). */
function policyWith(...openings: [number, number][]) {
  const events = openings.map(([a, b]) => `      - { start: "${iso(a)}", end: "${iso(b)}" }`).join("\n");
  const loaded = parsePolicy(`version: 1
defaults:
  approvers: { groups: [ops-approvers] }
calendars:
  other:
    kind: freeze
    description: A freeze far away.
    events:
      - { start: "${iso(5000)}", end: "${iso(5010)}" }
${openings.length === 0 ? "" : `  maint:\n    kind: window\n    description: The window.\n    events:\n${events}\n`}rules: []
`);
  if (!loaded.ok) expect.fail(formatConfigErrors(loaded.errors));
  return loaded.policy;
}

/** Approved at +5 for the window opening at +60 (it may start until +120). */
const approved = (
  schedule: ApprovalRequest["schedule"] = { runAt: m(60), startBy: m(120), window: "maint" },
) => makeRequest({ status: "approved", approvals: [{ userId: "U_BOB", at: m(5) }], schedule });

describe("judgeStartNow", () => {
  it("as approved: its time, before it and once due", () => {
    const policy = policyWith([60, 120]);
    expect(judgeStartNow(approved(), policy, m(10))).toEqual({ kind: "runs", at: m(60) });
    expect(judgeStartNow(approved(), policy, m(61))).toEqual({ kind: "runs", at: m(60) });
  });

  it("moved later within the approved span: the new opening, the same before it and once it opened", () => {
    const policy = policyWith([80, 140]);
    for (const now of [m(10), m(65), m(80), m(85)])
      expect(judgeStartNow(approved(), policy, now)).toEqual({ kind: "runs", at: m(80) });
  });

  it("moved earlier: the gate starts nothing before its time, so its time", () => {
    expect(judgeStartNow(approved(), policyWith([40, 120]), m(10))).toEqual({ kind: "runs", at: m(60) });
  });

  it("moved out of the approved span or removed: never, the window moved", () => {
    const moved = { kind: "never", check: { kind: "window_moved", window: "maint" } };
    expect(judgeStartNow(approved(), policyWith([300, 360]), m(10))).toEqual(moved);
    expect(judgeStartNow(approved(), policyWith(), m(10))).toEqual(moved);
  });

  it("an --at change: its time; its time passed: never", () => {
    const at = approved({ runAt: m(60), startBy: m(75) });
    expect(judgeStartNow(at, policyWith(), m(10))).toEqual({ kind: "runs", at: m(60) });
    expect(judgeStartNow(at, policyWith(), m(80))).toEqual({
      kind: "never",
      check: { kind: "missed", startBy: m(75) },
    });
  });

  it("no schedule: nothing to judge; keys tell starts apart", () => {
    expect(judgeStartNow(makeRequest(), policyWith(), m(10))).toBeUndefined();
    expect(startNowKey({ kind: "runs", at: m(60) })).not.toBe(startNowKey({ kind: "runs", at: m(80) }));
    expect(startNowKey({ kind: "never", check: { kind: "window_moved", window: "maint" } })).toBe(
      "never:window_moved",
    );
  });
});
