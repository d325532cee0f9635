import { describe, expect, it } from "vitest";
import { buildServerDetailView } from "../../src/views/build-server-detail-view.js";
import { HOSTILE_NAMES, makeServer } from "./fixtures.js";
import { expectHarmless, interactiveElements, render } from "./view-test-helpers.js";

describe("buildServerDetailView", () => {
  it("status, ID, flavor, AZ, IPs, tags and a share button", async () => {
    const { kit, golden } = render(
      buildServerDetailView({ server: makeServer(4), controls: { token: "tok" } }),
    );
    const text = JSON.stringify(kit);
    for (const part of [
      "3f1c0004-9a2b-4c7d-8e1f-0b2a3c4d5e6f",
      "s6.large.2",
      "8 GiB",
      "cn-north-4b",
      "10.0.0.4",
      "121.36.0.4",
    ]) {
      expect(text).toContain(part);
    }
    expect(interactiveElements(kit)).toEqual([{ action_id: "q.share", type: "button", value: "1:tok" }]);
    await expect(golden).toMatchFileSnapshot("golden/server-detail.json");
  });

  it("an ERROR server shows its fault; hostile values stay harmless", async () => {
    const server = makeServer(5, {
      name: "<https://evil.example|Approve>",
      status: "ERROR",
      fault: { code: 500, message: "<!channel> disk *failure*" },
      tags: ["note=<@U0ADMIN>"],
      taskState: "<!here>",
    });
    const { kit, golden } = render(buildServerDetailView({ server }));
    expectHarmless(kit);
    expect(interactiveElements(kit)).toEqual([]);
    await expect(golden).toMatchFileSnapshot("golden/server-detail-error-hostile.json");
  });

  it("every hostile name is harmless as a header", () => {
    for (const name of HOSTILE_NAMES)
      expectHarmless(render(buildServerDetailView({ server: makeServer(1, { name }) })).kit);
  });
});
