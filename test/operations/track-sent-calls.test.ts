import { expect, it } from "vitest";
import { trackSentCalls } from "../../src/operations/track-sent-calls.js";

it("a resumed run says what its record has sent, its jobs included, before any poll after the resume", () => {
  const sent = trackSentCalls();
  sent.observe({
    type: "run_started",
    runId: "run_1",
    requestId: "apr_1",
    operation: "stop",
    at: 1,
    resumed: true,
    targets: [{ id: "i-1", name: "web-01" }],
    steps: [
      { id: "check", kind: "recheck", description: "check", status: "succeeded" },
      { id: "stop", kind: "call", description: "stop", status: "succeeded", jobIds: ["ff01", "ff02"] },
      { id: "wait", kind: "wait", description: "wait", status: "running" },
    ],
  });
  expect(sent.started).toBe(true);
  expect(sent.sent()).toEqual({ operation: "stop", serverIds: ["i-1"], jobIds: ["ff01", "ff02"] });
});

it("a new run has sent nothing until its call starts", () => {
  const sent = trackSentCalls();
  sent.observe({
    type: "run_started",
    runId: "run_1",
    requestId: "apr_1",
    operation: "stop",
    at: 1,
    resumed: false,
    targets: [{ id: "i-1", name: "web-01" }],
    steps: [{ id: "stop", kind: "call", description: "stop" }],
  });
  expect(sent.sent()).toBeUndefined();
});
