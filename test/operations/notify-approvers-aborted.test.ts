/**
 * The approvers' direct messages once a request ended: a run that never sent anything (another change held the
 * servers) is said as its card says it, read from the request's details; never "it failed". Real memory store;
 * the chat records the updates.
 */
import { pino } from "pino";
import { expect, it } from "vitest";
import type { ChatPort } from "../../src/app/ports.js";
import { approvalDmsKey, createApproverMessages } from "../../src/operations/notify-approvers.js";
import type { RequestDetails } from "../../src/operations/request-details.js";
import type { Message } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { makeDetails, makeRequest, T0 } from "./fixtures.js";
import { createManualTime } from "./manual-time.js";

it("a run refused before it sent anything: the approvers read 'but not run', with why, once", async () => {
  const request = makeRequest({
    status: "failed",
    requirement: { ...makeRequest().requirement, notify: ["dm"] },
    approvals: [
      { userId: "U_BOB", at: T0 + 60_000 },
      { userId: "U_CAROL", at: T0 + 120_000 },
    ],
  });
  const store = createMemoryStore({ clock: createManualTime(T0).clock });
  await store.createIfAbsent(
    approvalDmsKey(request.id),
    { messages: [{ userId: "U_BOB", channel: "D_BOB", ts: "1.0" }], shown: "approved" },
    { ttlMs: 60_000 },
  );
  const updates: string[] = [];
  const chat = {
    getPermalink: async () => "https://slack.example/p1",
    updateMessage: async (_ref: unknown, message: Message) => {
      const blocks = renderBlockKit(message).blocks as { text?: { text?: string } }[];
      updates.push(blocks.map((b) => b.text?.text ?? "").join("\n"));
    },
  } as unknown as ChatPort;
  const details: RequestDetails = makeDetails({
    result: {
      status: "aborted",
      summary:
        "Not run: `web-03` is being changed by a reboot the bot is still running (request `apr_AbC__x_0123456789abcdefgh`); nothing was sent, ask again once it has finished",
    },
  });
  const messages = createApproverMessages({
    store,
    logger: pino({ level: "silent" }),
    readRequest: async () => request,
    readDetails: async () => details,
  });
  await messages.settled(request, chat);
  expect(updates).toHaveLength(1);
  expect(updates[0]).toContain(
    "was approved by <@U_BOB>, <@U_CAROL>, but not run: `web-03` is being changed by a reboot the bot is still running",
  );
  expect(updates[0]).toContain("(request `apr_AbC__x_0123456789abcdefgh`)");
  expect(updates[0]).not.toContain("failed");
});
