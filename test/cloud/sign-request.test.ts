import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/cloud/sign-request.js";

describe("signRequest", () => {
  it("reproduces Huawei's published signing example", () => {
    const authorization = signRequest(
      {
        method: "GET",
        path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        query: { limit: "2", marker: "13551d6b-755d-4757-b956-536f674975c0" },
        headers: {
          "Content-Type": "application/json",
          Host: "service.region.example.com",
          "X-Sdk-Date": "20191115T033655Z",
        },
      },
      { ak: "QTWAOYTTINDUT2QVKYUC", sk: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc" },
    );
    expect(authorization).toBe(
      "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
    );
  });
});
