/**
 * A read of the audit log that cannot be recorded is never dropped unsaid (`recordAuditRead`): the store's
 * error and the entry it refused go to the bot's log at error level; a refused read stays refused. The read
 * policy's refusals (`createReadPolicy`) are said through the logger it is given.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { ChatPort } from "../../src/app/ports.js";
import { recordAuditRead } from "../../src/audit/record-audit-read.js";
import { createReadPolicy } from "../../src/operations/create-policy-gates.js";
import { parsePolicy } from "../../src/policy/load-policy.js";

const loaded = parsePolicy(await readFile("flows/policy.yml", "utf8"), "flows/policy.yml");
if (!loaded.ok) throw new Error("flows/policy.yml does not load");
const policy = loaded.policy;
const chat = { recentUserGroups: async () => [] } as unknown as ChatPort;
const refuse = async () => {
  throw new Error("store write refused");
};

function errorLog() {
  const lines: { fields: Record<string, unknown>; msg: string }[] = [];
  return { lines, error: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }) };
}

describe("recordAuditRead", () => {
  it("recorded: true, nothing logged", async () => {
    const log = errorLog();
    const written: unknown[] = [];
    const read = { actorId: "U1", action: "ops:audit:list", via: "view" as const, filters: {}, entries: 3 };
    expect(await recordAuditRead(async (e) => written.push(e), read, log as never)).toBe(true);
    expect(written).toHaveLength(1);
    expect(log.lines).toEqual([]);
  });

  it("not recorded: false, and the entry with the store's error goes to the log", async () => {
    const log = errorLog();
    const read = {
      actorId: "U1",
      action: "ops:audit:verify",
      via: "view" as const,
      filters: {},
      entries: 40,
    };
    expect(await recordAuditRead(refuse, read, log as never)).toBe(false);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]?.msg).toBe("a read of the audit log could not be recorded in it: nothing was shown");
    expect(log.lines[0]?.fields).toMatchObject({
      err: { message: "store write refused" },
      auditRead: { type: "audit.read", actorId: "U1", action: "ops:audit:verify", detail: { entries: 40 } },
    });
  });
});

describe("the read policy's refusals of audit reads", () => {
  it("refused either way; an entry that cannot be written is logged", async () => {
    const log = errorLog();
    const gate = createReadPolicy({
      policy: () => policy,
      chat: () => chat,
      clock: { now: () => Date.parse("2026-06-10T12:00:00Z") },
      recordAudit: refuse,
      logger: log as never,
    });
    const decision = await gate({ type: "ops.audit.verify" } as never, {
      request: { actor: { userId: "U_DAVE", teamId: "T1" }, channelId: "C_OPS" },
      servers: [],
      chat,
    });
    expect(decision.allowed).toBe(false);
    expect(log.lines.map((l) => l.msg)).toEqual([
      "a refused read of the audit log could not be recorded in it",
    ]);
    expect(log.lines[0]?.fields).toMatchObject({
      auditRead: {
        actorId: "U_DAVE",
        action: "ops:audit:verify",
        decision: "deny",
        detail: { allowed: false },
      },
    });
  });
});
