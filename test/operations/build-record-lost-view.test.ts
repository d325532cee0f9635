import { describe, expect, it } from "vitest";
import { buildRecordLostView } from "../../src/operations/build-record-lost-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

describe("buildRecordLostView", () => {
  it("what was sent (servers as typed back, the job and how to look it up), that nothing more is sent, what to check", async () => {
    const kit = renderBlockKit(
      buildRecordLostView({
        verb: "stop",
        requesterId: "U_ALICE",
        targetNames: ["web-01", "*bold* _x_"],
        sent: { names: ["web-01", "*bold* _x_"], jobIds: ["ff80808212345678"] },
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("`/ecs show *bold* _x_`");
    expect(text).toContain("Nothing more will be sent");
    // The job, with the command that shows it.
    expect(text).toContain("(job `ff80808212345678`: `/ecs job ff80808212345678` shows it)");
    expect(text).toContain("The bot lost track of this stop");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/record-lost-sent.json");
  });

  it("nothing sent yet; more servers than it names are counted", async () => {
    const names = Array.from({ length: 7 }, (_, i) => `db-0${i + 1}`);
    const kit = renderBlockKit(
      buildRecordLostView({ verb: "reboot", requesterId: "U_ALICE", targetNames: names, sent: undefined }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("Nothing had been sent to Huawei Cloud for it, and nothing will be.");
    expect(text).toContain("and 2 more servers");
    expect(text).not.toContain("db-06");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/record-lost-nothing-sent.json");
  });
});
