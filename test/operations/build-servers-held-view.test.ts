import { describe, expect, it } from "vitest";
import { buildServersHeldReply, serversHeldReason } from "../../src/operations/build-servers-held-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

const holder = {
  requestId: "apr_first",
  verb: "reboot",
  requesterId: "U_ALICE",
  servers: [
    { id: "i-1", name: "web-01" },
    { id: "i-2", name: "*web* _02_" },
  ],
  link: "https://slack.example/archives/C_OPS/p1",
};

describe("buildServersHeldReply", () => {
  it("which change holds the servers (link to its thread), nothing sent, ask again with the command", async () => {
    const kit = renderBlockKit(
      buildServersHeldReply(
        { requester: { userId: "U_CAROL", teamId: "T1" }, commandText: "/ecs reboot web-01 web-02" } as never,
        [holder],
      ),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("|its thread>");
    expect(text).toContain("Nothing was sent to the cloud.");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/servers-held.json");
  });

  it("the card's reason: plain words, one server said as one; the name and the ID between backticks", () => {
    const reason = serversHeldReason([{ ...holder, servers: [{ id: "i-1", name: "web-01" }] }]);
    expect(reason).toBe(
      "Not run: `web-01` is being changed by a reboot the bot is still running (request `apr_first`); nothing was sent, ask again once it has finished",
    );
  });

  it("the reason keeps a random ID's run of underscores, and a name's backtick cannot open a code span", () => {
    const reason = serversHeldReason([
      { ...holder, requestId: "apr_AbC__x", servers: [{ id: "i-1", name: "we`b *01*" }] },
    ]);
    expect(reason).toContain("(request `apr_AbC__x`)");
    expect(reason).toContain("`weˋb *01*` is being changed");
  });
});
