import { describe, expect, it } from "vitest";
import { CloudError, ErrorCodes, OutcomeUnknownError, parseCloudError } from "../../src/cloud/errors.js";

const parse = (status: number, body: unknown, requestId?: string) =>
  parseCloudError({
    status,
    body: typeof body === "string" ? body : JSON.stringify(body),
    requestId,
    operation: "test.op",
  });

describe("parseCloudError", () => {
  it("normalises the ECS shape with details", () => {
    const e = parse(
      400,
      {
        error: {
          code: "Ecs.0005",
          message: "request body is illegal.",
          details: [{ code: "X", message: "y" }],
        },
      },
      "req-1",
    );
    expect(e).toBeInstanceOf(CloudError);
    expect(e).toMatchObject({
      status: 400,
      code: "Ecs.0005",
      message: "request body is illegal.",
      requestId: "req-1",
    });
    expect(e.details).toEqual([{ code: "X", message: "y" }]);
    expect(e.retryable).toBe(false);
    expect(e.operation).toBe("test.op");
  });

  it("normalises the batch shape with internalError[]", () => {
    const e = parse(400, {
      error: { code: "Ecs.xxxx", message: "batch failed" },
      internalError: [
        { id: "s1", error_code: "ECS.0001", error_message: "m1" },
        { id: "s2", error_code: "ECS.0002", error_message: "m2" },
      ],
    });
    expect(e.code).toBe("Ecs.xxxx");
    expect(e.internalErrors).toEqual([
      { id: "s1", errorCode: "ECS.0001", errorMessage: "m1" },
      { id: "s2", errorCode: "ECS.0002", errorMessage: "m2" },
    ]);
  });

  it("normalises a batch body with internalError[] only", () => {
    const e = parse(400, { internalError: [{ id: "s1", error_code: "ECS.0001", error_message: "m1" }] });
    expect(e).toMatchObject({ code: "ECS.0001", message: "m1" });
  });

  it.each([
    ["itemNotFound", 404],
    ["badRequest", 400],
    ["conflictingRequest", 409],
    ["computeFault", 500],
    ["overLimit", 413],
  ])("normalises the OpenStack %s shape", (key, status) => {
    const e = parse(status, { [key]: { code: status, message: `msg ${key}` } });
    expect(e).toMatchObject({ status, code: key, message: `msg ${key}` });
  });

  it("flags not-found in every shape", () => {
    expect(parse(404, { itemNotFound: { code: 404, message: "gone" } }).isNotFound).toBe(true);
    expect(parse(400, { error: { code: "Ecs.0114", message: "The ECS does not exist." } }).isNotFound).toBe(
      true,
    );
    expect(parse(400, { error: { code: "Ecs.0005", message: "x" } }).isNotFound).toBe(false);
  });

  it("normalises the HSS / API gateway shape and takes the request ID from the body", () => {
    const e = parse(429, {
      error_code: "APIG.0308",
      error_msg: "The request is throttled.",
      request_id: "gw-7",
    });
    expect(e).toMatchObject({
      status: 429,
      code: ErrorCodes.APIG_THROTTLED,
      requestId: "gw-7",
      retryable: true,
    });
    expect(e.isThrottled).toBe(true);
    const hss = parse(400, { error_code: "HSS.1001", error_msg: "bad param" }, "hdr");
    expect(hss).toMatchObject({ code: "HSS.1001", message: "bad param", requestId: "hdr" });
  });

  it("normalises the Keystone shape (numeric code)", () => {
    const e = parse(401, {
      error: {
        code: 401,
        title: "Unauthorized",
        message: "The request you have made requires authentication.",
      },
    });
    expect(e).toMatchObject({ status: 401, code: "401" });
  });

  it("normalises top-level code/message (job query errors)", () => {
    const e = parse(400, { code: "Common.0011", message: "Failed to query system tasks. Invalid job ID." });
    expect(e).toMatchObject({ code: "Common.0011", status: 400, retryable: false });
    // A job ID the service issued and no longer knows: the record was purged.
    expect(e.isNotFound).toBe(true);
  });

  it("never takes a 404 without a service's body, nor a gateway's, for 'not found'", () => {
    // A proxy's page or an empty answer says nothing about the server: a delete's wait must not count it gone.
    expect(parse(404, "<html>Not Found</html>")).toMatchObject({ code: "HTTP_404", isNotFound: false });
    expect(parse(404, "")).toMatchObject({ code: "HTTP_404", isNotFound: false });
    expect(parse(404, { error_code: "APIG.0101", error_msg: "no such API" }).isNotFound).toBe(false);
  });

  it("an internal failure code anywhere in the answer (a batch's internalError[], a detail) is one", () => {
    const inBatch = parse(400, {
      error: { code: "Ecs.0005", message: "batch failed" },
      internalError: [{ id: "s1", error_code: "Ecs.1002", error_message: "OpenStack access timed out" }],
    });
    expect(inBatch.isInternalFailure).toBe(true);
    const inDetail = parse(400, {
      error: { code: "Ecs.0005", message: "x", details: [{ code: "Ecs.1000", message: "nova" }] },
    });
    expect(inDetail.isInternalFailure).toBe(true);
    expect(parse(400, { error: { code: "Ecs.0005", message: "x" } }).isInternalFailure).toBe(false);
  });

  it("normalises non-JSON and empty bodies", () => {
    expect(parse(502, "<html>Bad Gateway</html>")).toMatchObject({
      code: "HTTP_502",
      message: "<html>Bad Gateway</html>",
      retryable: true,
    });
    expect(parse(503, "")).toMatchObject({ code: "HTTP_503", message: "HTTP 503", retryable: true });
    expect(parse(500, "[1,2]")).toMatchObject({ code: "HTTP_500", retryable: true });
    expect(parse(418, "x".repeat(1000)).message.length).toBeLessThanOrEqual(300);
  });

  it("marks retryable statuses", () => {
    // 500 included: ECS's "A system exception occurred. Try again later" (Ecs.1000) passes; a read may be resent.
    for (const s of [429, 500, 502, 503, 504]) expect(parse(s, {}).retryable).toBe(true);
    for (const s of [400, 401, 403, 404, 409, 501]) expect(parse(s, {}).retryable).toBe(false);
  });
});

describe("OutcomeUnknownError", () => {
  it("carries the operation and the request's identity", () => {
    const e = new OutcomeUnknownError({
      operation: "ecs.stopServers",
      identity: { serverIds: ["a", "b"] },
      reason: "server-error",
      status: 503,
    });
    expect(e.name).toBe("OutcomeUnknownError");
    expect(e.identity).toEqual({ serverIds: ["a", "b"] });
    expect(e.message).toContain("ecs.stopServers");
    expect(e.message).toContain("503");
  });
});
