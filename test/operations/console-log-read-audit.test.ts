/**
 * A console log may show secrets: every attempt to read one (`/ecs console-log`, and each page of it) is
 * recorded in the audit log, allowed or denied, with who, which servers and why not; a read that cannot be
 * recorded is not shown. Other reads record nothing. The shipped policy (`flows/policy.yml`: only @sre may read
 * a console log), a real audit log on the memory store, the injected clock.
 */
import { readFile } from "node:fs/promises";
import { pino } from "pino";
import { beforeEach, describe, expect, it } from "vitest";
import type { ChatPort, ChatUserGroup } from "../../src/app/ports.js";
import type { AuditEntryInput } from "../../src/audit/audit-entry.js";
import { type AuditLog, createAuditLog } from "../../src/audit/create-audit-log.js";
import type { Server } from "../../src/cloud/types.js";
import type { ReadIntent } from "../../src/commands/types.js";
import { parseIntent } from "../../src/intents/index.js";
import { buildAuditView } from "../../src/operations/build-audit-view.js";
import { createReadPolicy } from "../../src/operations/create-policy-gates.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import { renderPlainText } from "../../src/render/render-plain-text.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";

const NOW = Date.parse("2026-06-10T12:00:00Z");
const loaded = parsePolicy(await readFile("flows/policy.yml", "utf8"), "flows/policy.yml");
if (!loaded.ok) throw new Error("flows/policy.yml does not load");
const policy = loaded.policy;
const GROUPS: ChatUserGroup[] = [{ id: "S2", handle: "sre", users: ["U_ALICE"] }];
const chat = { recentUserGroups: async () => GROUPS } as unknown as ChatPort;
const clock = { now: () => NOW };
const web: Server = {
  id: "id-web-03",
  name: "web-03",
  status: "ACTIVE",
  flavor: { id: "s6.medium.2" },
  addresses: [],
  tags: ["env=dev"],
  metadata: {},
  volumeIds: [],
  securityGroups: [],
} as unknown as Server;

function intentOf(line: string): ReadIntent {
  const parsed = parseIntent("/ecs", line);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.intent as ReadIntent;
}
const requestOf = (userId: string) => ({
  actor: { userId, teamId: "T0001" },
  channelId: "C_OPS",
  channelName: "ops",
});

let audit: AuditLog;
beforeEach(() => {
  audit = createAuditLog({ store: createMemoryStore({ clock }), clock, logger: pino({ level: "silent" }) });
});
const gate = (record: (e: AuditEntryInput) => Promise<unknown> = (e) => audit.record(e)) =>
  createReadPolicy({ policy: () => policy, chat: () => chat, clock, recordAudit: record });
const reads = () => audit.query({ type: "console_log.read", limit: 10 });

describe("console-log reads are audited", () => {
  it("an allowed read: who, which server, allowed, the rule", async () => {
    const decision = await gate()(intentOf("console-log web-03"), {
      request: requestOf("U_ALICE"),
      servers: [web],
      chat,
    });
    expect(decision).toEqual({ allowed: true });
    const [entry] = await reads();
    expect(entry).toMatchObject({
      type: "console_log.read",
      actorId: "U_ALICE",
      teamId: "T0001",
      action: "ecs:servers:getConsoleOutput",
      serverIds: ["id-web-03"],
      decision: "allow",
      ruleIds: ["console-log-for-sre"],
      detail: { allowed: true, servers: ["web-03"] },
    });
    expect(entry?.detail?.reasons).toBeUndefined();
  });

  it("a denied read: who, which server, denied with the policy's reasons; the requester is told", async () => {
    const decision = await gate()(intentOf("console-log web-03"), {
      request: requestOf("U_DAVE"),
      servers: [web],
      chat,
    });
    expect(decision.allowed).toBe(false);
    const [entry] = await reads();
    expect(entry).toMatchObject({
      actorId: "U_DAVE",
      serverIds: ["id-web-03"],
      decision: "deny",
      detail: { allowed: false, servers: ["web-03"] },
    });
    const reasons = entry?.detail?.reasons as string[];
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.join(" ")).toContain("console-log-for-sre");
    // And `/ops audit` shows it, with the reasons.
    const text = renderPlainText(buildAuditView({ query: { limit: 20, offset: 0 }, entries: await reads() }));
    expect(text).toContain("Console log read");
    expect(text).toContain("Console log of web-03: refused — reasons:");
  });

  it("each attempt is one entry (a page click asks again)", async () => {
    const g = gate();
    for (const user of ["U_ALICE", "U_DAVE", "U_ALICE"])
      await g(intentOf("console-log web-03"), { request: requestOf(user), servers: [web], chat });
    expect((await reads()).map((e) => [e.actorId, e.decision])).toEqual([
      ["U_ALICE", "allow"],
      ["U_DAVE", "deny"],
      ["U_ALICE", "allow"],
    ]);
  });

  it("a read that cannot be recorded is not shown", async () => {
    const failing = async () => {
      throw new Error("store unavailable");
    };
    const decision = await gate(failing)(intentOf("console-log web-03"), {
      request: requestOf("U_ALICE"),
      servers: [web],
      chat,
    });
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(renderPlainText(decision.message)).toContain("could not be recorded");
  });

  it("other reads record nothing", async () => {
    const decision = await gate()(intentOf("show web-03"), {
      request: requestOf("U_DAVE"),
      servers: [web],
      chat,
    });
    expect(decision).toEqual({ allowed: true });
    expect(await audit.query({ limit: 10 })).toEqual([]);
  });
});
