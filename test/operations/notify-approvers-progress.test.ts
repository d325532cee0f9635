/**
 * The approvers' direct messages follow each approval (`progressed`) with replicas: the request is read from the
 * store, not taken from the snapshot of the transition, and read again after the updates, so an approval another
 * replica recorded while ours were going out (its own updates landing before ours) is what the messages end
 * with; a request that stopped waiting meanwhile ends closed. Real memory store; the chat records the updates.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ChatPort } from "../../src/app/ports.js";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import type { ApprovalEffect } from "../../src/approvals/approval-state.js";
import { approvalDmsKey, createApproverMessages } from "../../src/operations/notify-approvers.js";
import type { Message } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { makeRequest, T0 } from "./fixtures.js";
import { createManualTime } from "./manual-time.js";

const logger = pino({ level: "silent" });
const PEOPLE = ["U_BOB", "U_CAROL", "U_ERIN"];
const dmsOf = (userId: string) => `D_${userId.slice(2)}`;

/** A 3-of-3 request asked of Bob, Carol and Erin by direct message, with `approvers` given. */
function request(approvers: string[], status: ApprovalRequest["status"] = "pending"): ApprovalRequest {
  return makeRequest({
    status,
    requirement: { ...makeRequest().requirement, minApprovals: 3, notify: ["dm"] },
    approvals: approvers.map((userId, i) => ({ userId, at: T0 + (i + 1) * 60_000 })),
    ...(status === "cancelled" && { cancellation: { userId: "U_ALICE", at: T0 + 5 * 60_000 } }),
  });
}

const recorded = (userId: string, count: number): ApprovalEffect => ({
  type: "approval_recorded",
  userId,
  at: T0 + count * 60_000,
  count,
  required: 3,
});

/** The store with the three messages kept, the chat recording each update's text, `reads` answered in turn. */
async function setUp(reads: ApprovalRequest[]) {
  const store = createMemoryStore({ clock: createManualTime(T0).clock });
  await store.createIfAbsent(
    approvalDmsKey(request([]).id),
    { messages: PEOPLE.map((userId) => ({ userId, channel: dmsOf(userId), ts: "1.0" })) },
    { ttlMs: 60_000 },
  );
  const updates: { channel: string; text: string }[] = [];
  const chat = {
    getPermalink: async () => "https://slack.example/p1",
    updateMessage: async (ref: { channel: string }, message: Message) => {
      const sections = renderBlockKit(message).blocks as { text?: { text?: string } }[];
      updates.push({ channel: ref.channel, text: sections.map((b) => b.text?.text ?? "").join("\n") });
    },
  } as unknown as ChatPort;
  let read = 0;
  const messages = createApproverMessages({
    store,
    logger,
    readRequest: async () => reads[Math.min(read++, reads.length - 1)],
  });
  const last = (userId: string) => updates.filter((u) => u.channel === dmsOf(userId)).at(-1)?.text ?? "";
  return { messages, chat, updates, last };
}

describe("approvers' messages after an approval, with replicas", () => {
  it("Carol's approval on another replica lands while Bob's updates go out: every message ends with 2 of 3", async () => {
    // Our replica recorded Bob's; the first read is that state, the next ones have Carol's too.
    const { messages, chat, updates, last } = await setUp([
      request(["U_BOB"]),
      request(["U_BOB", "U_CAROL"]),
    ]);
    await messages.progressed(request(["U_BOB"]), [recorded("U_BOB", 1)], chat);
    expect(last("U_BOB")).toContain("You approved");
    expect(last("U_CAROL")).toContain("You approved");
    expect(last("U_ERIN")).toContain("asks for your approval");
    for (const userId of PEOPLE) expect(last(userId)).toContain("approvals 2 of 3 (<@U_BOB>, <@U_CAROL>)");
    // Bounded: each message once for what we read, once again for what the other replica recorded.
    expect(updates).toHaveLength(6);
  });

  it("nothing moved meanwhile: each message is updated once, and a second look costs no update", async () => {
    const { messages, chat, updates, last } = await setUp([request(["U_BOB"])]);
    await messages.progressed(request(["U_BOB"]), [recorded("U_BOB", 1)], chat);
    expect(updates).toHaveLength(3);
    expect(last("U_BOB")).toMatch(/^:ballot_box_with_check: You approved <@U_ALICE>'s request/);
    expect(last("U_CAROL")).toContain("asks for your approval");
    for (const userId of PEOPLE) expect(last(userId)).toContain("approvals 1 of 3 (<@U_BOB>)");
  });

  it("cancelled while the updates go out: the messages end closed, not asking", async () => {
    const { messages, chat, last } = await setUp([request(["U_BOB"]), request(["U_BOB"], "cancelled")]);
    await messages.progressed(request(["U_BOB"]), [recorded("U_BOB", 1)], chat);
    for (const userId of PEOPLE) expect(last(userId)).toMatch(/^:heavy_multiplication_x: No longer waiting/);
  });

  it("a request no longer pending when read (settled's to close), or a transition with no approval, updates nothing", async () => {
    const { messages, chat, updates } = await setUp([request(["U_BOB"], "cancelled")]);
    await messages.progressed(request(["U_BOB"]), [recorded("U_BOB", 1)], chat);
    await messages.progressed(request(["U_BOB"]), [{ type: "expired", at: T0 }], chat);
    expect(updates).toEqual([]);
  });
});
