/**
 * `/ops audit`, what an auditor needs from each entry: a denial's reasons (its rule IDs as code, not as
 * look-alikes), commands and crons exactly as they ran, "Terms" vs "Approved terms", console-log reads, the
 * stage an expired request stopped at, the policy version, and a truncation note that names filters that exist.
 */
import { describe, expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/audit-entry.js";
import { buildAuditView } from "../../src/operations/build-audit-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

const AT = Date.UTC(2026, 11, 6, 14, 10);
const HASH = "2d72a1b0c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e";
const POLICY_SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const SERVER = "d704b694-9efd-4a74-920f-e8cf2caf37eb";
const REQ = "apr_AAAAAAAAAAAAAAAAAAAAAA";

let seq = 100;
function entry(
  e: Omit<AuditRecord, "id" | "seq" | "serverIds" | "ruleIds"> & Partial<AuditRecord>,
): AuditRecord {
  seq -= 1;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    seq,
    serverIds: [SERVER],
    ruleIds: [],
    ...e,
  };
}

const ENTRIES: AuditRecord[] = [
  entry({
    type: "console_log.read",
    at: AT + 9_000,
    actorId: "U_DAVE",
    action: "ecs:servers:getConsoleOutput",
    decision: "deny",
    ruleIds: ["console-log-sre-only"],
    message: "Console log of web-03: refused",
    detail: {
      allowed: false,
      servers: ["web-03"],
      reasons: [
        "only rule `console-log-sre-only` (SRE only) allows it, and it does not apply to this request",
      ],
    },
  }),
  entry({
    type: "console_log.read",
    at: AT + 8_000,
    actorId: "U_ALICE",
    action: "ecs:servers:getConsoleOutput",
    decision: "allow",
    ruleIds: ["console-log-sre-only"],
    message: "Console log of web-03: shown",
    detail: { allowed: true, servers: ["web-03"] },
  }),
  entry({
    type: "schedule.activated",
    at: AT + 7_000,
    actorId: "U_BOB",
    message: "schedule sch_1 active: /ecs stop tag:env=dev (0 19 * * 1-5, Europe/Paris)",
    detail: { scheduleId: "sch_1", maxTargets: 10, approvedBy: ["U_BOB"] },
  }),
  entry({
    type: "request.created",
    at: AT + 6_000,
    actorId: "U_ALICE",
    requestId: "apr_SCHEDULESCHEDULESCHED",
    action: "ops:schedules:create",
    bindingHash: HASH,
    message: '/ops schedule add "0 19 * * 1-5" tz=Europe/Paris /ecs stop tag:env=dev',
  }),
  entry({
    type: "request.expired",
    at: AT + 5_000,
    actorId: "system:expiry",
    requestId: REQ,
    bindingHash: HASH,
    ruleIds: ["hard-reboot-in-stages"],
    detail: { expiresAt: AT + 5_000, stage: "second-line", stageIndex: 2, stages: 2, count: 1, required: 2 },
  }),
  entry({
    type: "approval.recorded",
    at: AT + 4_000,
    actorId: "U_BOB",
    requestId: REQ,
    bindingHash: HASH,
    detail: { count: 1, required: 2, stage: "first-line", stageComplete: true },
  }),
  entry({
    type: "request.revoked",
    at: AT + 3_000,
    actorId: "system:policy",
    requestId: "apr_REVOKEDREVOKEDREVOKE",
    bindingHash: HASH,
    message: "rule `freeze` denies it during the freeze",
    detail: { reasons: ["rule `freeze` denies it during the freeze"] },
  }),
  entry({
    type: "policy.decided",
    at: AT + 2_000,
    actorId: "U_ALICE",
    action: "ecs:cloudServers:delete",
    decision: "deny",
    ruleIds: ["locked-servers"],
    message: "/ecs delete api-02",
    detail: {
      reference: "7b7c9e85",
      policySha256: POLICY_SHA,
      reasons: ["This server is tagged lock=true; remove the tag first (that needs an approval)."],
    },
  }),
];

const render = (entries: readonly AuditRecord[], limit = 20) =>
  renderBlockKit(
    buildAuditView({
      query: { subject: { kind: "server", label: "web-03", ids: [SERVER] }, limit, offset: 0 },
      entries,
    }),
  );
const textOf = (entries: readonly AuditRecord[]) => collectMrkdwn(render(entries)).join("\n");
const lineOf = (text: string, type: string) =>
  text
    .split("\n• ")
    .find((item) => item.includes(`\`${type}\``))
    ?.split("\n")
    .join(" ") ?? "";

describe("buildAuditView: what each entry says", () => {
  const text = textOf(ENTRIES);

  it("a denial says why (detail.reasons), not only the rule", () => {
    expect(lineOf(text, "policy.decided")).toContain(
      "reasons: This server is tagged lock=true; remove the tag first (that needs an approval).",
    );
    expect(lineOf(text, "policy.decided")).toContain("Rules: locked-servers");
  });

  it("the bot's rule IDs in reasons are code spans, never look-alike backticks", () => {
    expect(text).toContain("reasons: only rule `console-log-sre-only` (SRE only) allows it");
    expect(text).not.toContain("\u02cb");
  });

  it("a revocation's reasons are said once (its message repeats them)", () => {
    const line = lineOf(text, "request.revoked");
    expect(line.match(/denies it during the freeze/g)).toHaveLength(1);
    expect(line).toContain("reasons: rule `freeze` denies");
  });

  it("commands and crons read and copy exactly as they ran: code spans, real asterisks", () => {
    expect(text).not.toContain("\u2217");
    expect(lineOf(text, "request.created")).toContain(
      '`/ops schedule add "0 19 * * 1-5" tz=Europe/Paris /ecs stop tag:env=dev`',
    );
    expect(lineOf(text, "schedule.activated")).toContain(
      "schedule sch_1 active: `/ecs stop tag:env=dev` (`0 19 * * 1-5`, Europe/Paris)",
    );
    expect(lineOf(text, "policy.decided")).toContain("`/ecs delete api-02`");
  });

  it('"Approved terms" only where the terms were approved; "Terms" on a request never approved', () => {
    expect(lineOf(text, "request.created")).toContain("Terms (hash): `2d72a1b0c3d4`");
    expect(lineOf(text, "request.created")).not.toContain("Approved terms");
    expect(lineOf(text, "request.expired")).not.toContain("Approved terms");
    expect(lineOf(text, "approval.recorded")).toContain("Approved terms (hash)");
    expect(lineOf(text, "request.revoked")).toContain("Approved terms (hash)");
  });

  it("console-log reads: who, which server, shown or refused and why", () => {
    const denied = lineOf(text, "console_log.read");
    expect(denied).toContain("Console log read");
    expect(denied).toContain("<@U_DAVE>: Console log of web-03: refused");
    expect(denied).toContain("Decision: denied");
    expect(text).toContain("<@U_ALICE>: Console log of web-03: shown");
  });

  it("an expired request says the stage and approvals it stopped at; a decision its policy version", () => {
    expect(lineOf(text, "request.expired")).toContain(
      "When it expired: waiting on stage second-line (2 of 2), 1 of 2 approvals",
    );
    expect(lineOf(text, "policy.decided")).toContain("Policy (SHA-256): `9f86d081884c`");
  });

  it("renders (golden)", async () => {
    const kit = render(ENTRIES);
    expectValidBlockKit(kit);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/audit-view-details.json");
  });
});

describe("buildAuditView: more entries than fit", () => {
  const many: AuditRecord[] = Array.from({ length: 100 }, (_, i) =>
    entry({
      type: "request.created",
      at: AT - i * 60_000,
      actorId: "U_ALICE",
      requestId: `apr_${String(i).padStart(22, "B")}`,
      action: "ecs:cloudServers:reboot",
      bindingHash: HASH,
      message: `/ecs reboot web-${String(i).padStart(2, "0")} --hard --reason "CHG-${1000 + i} a longer reason to fill"`,
      detail: { why: `CHG-${1000 + i} a longer reason to fill the message budget` },
    }),
  );

  it("shows as many as fit whole, then the way back in time from the oldest shown, and the filters", () => {
    const kit = render(many, 100);
    expectValidBlockKit(kit);
    const text = collectMrkdwn(kit).join("\n");
    // The page is chosen to fit: the renderer cuts nothing, so its own "…and N more" never shows.
    expect(text).not.toMatch(/…and \d+ more/);
    const shown = [...text.matchAll(/^• \*#(\d+) /gm)].map((m) => Number(m[1]));
    expect(shown.length).toBeGreaterThan(20);
    expect(shown.length).toBeLessThan(100);
    expect(shown).toEqual(many.slice(0, shown.length).map((e) => e.seq));
    const oldest = shown.at(-1);
    expect(text).toContain(`entries 1–${shown.length}, newest first`);
    expect(text).toContain(`\`/ops audit web-03 100 --before ${oldest}\` (or the button below)`);
    expect(text).toContain("`/ops audit &lt;server&gt;`");
    expect(text).toContain("`npm run audit -- export`");
    const buttons = kit.blocks.flatMap((b) =>
      b.type === "actions" ? (b.elements as { action_id: string; value: string }[]) : [],
    );
    expect(buttons.map((b) => b.action_id)).toEqual(["ops.audit.page.older"]);
    expect(JSON.parse(buttons[0]!.value)).toEqual({
      subject: { kind: "server", label: "web-03", ids: [SERVER] },
      limit: 100,
      offset: shown.length,
      beforeSeq: oldest,
    });
  });
});

describe("buildAuditView: only command lines become code", () => {
  it("a message with a command in its middle stays text", () => {
    const kit = render([
      entry({
        type: "break_glass.used",
        at: AT,
        actorId: "U_ALICE",
        message: "needed because /ecs stop failed twice",
      }),
    ]);
    const text = collectMrkdwn(kit).join("\n");
    expect(text).toContain("<@U_ALICE> — break-glass reason: needed because /ecs stop failed twice");
    expect(text).not.toContain("`/ecs stop");
  });
});
