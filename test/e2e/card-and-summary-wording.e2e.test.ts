/**
 * Operator words on cards and summaries, over signed Slack requests against the simulated cloud: a tag removal of
 * a key the server lacks names the key (with the closest one it has) and says nothing changes; a blocked server's
 * row shows its state once and why it is blocked; a failed attach or detach says what to look at next; a
 * delete's card names the disks and EIPs that go, once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

const APPROVE = "ops.approval.approve";

/** The newest ephemeral reply to Alice that includes `needle`. */
function reply(needle: string): Promise<string> {
  return h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).findLast((t) => t.includes(needle)));
}

function summary(card: FakeSlackMessage): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("your request finished")),
  );
}

describe("/ecs tag … remove of a key the server does not have", () => {
  it("names the key and the closest one it has, and says nothing changes", async () => {
    // web-04 has env, team and role: `rol` is a typo of `role`.
    await h.command("tag web-04 remove rol");
    const answer = await reply("/ecs tag web-04 remove rol");
    expect(answer).toContain("web-04: has no tag rol (did you mean role?); nothing changes");
    expect(answer).not.toContain("its tags are already so");
    expect(h.mutations("batchDeleteServerTags")).toHaveLength(0);
  });

  it("a key like none it has: named, no guess", async () => {
    await h.command("tag web-04 remove owner");
    expect(await reply("/ecs tag web-04 remove owner")).toContain(
      "web-04: has no tag owner; nothing changes",
    );
  });

  it("the key is escaped: it cannot format the answer", async () => {
    await h.command("tag web-04 remove _x_");
    const answer = await reply("has no tag ˍ");
    expect(answer).toContain("web-04: has no tag ˍxˍ; nothing changes");
    expect(answer).not.toContain("_x_;");
  });
});

describe("a blocked server's row", () => {
  it("a stopped, locked server blocked from a tag: its state once, and why", async () => {
    h.sim.control.setServer(h.serverId("web-03"), { status: "SHUTOFF", locked: true });
    await h.command("tag web-03 add a=b");
    const answer = await reply("/ecs tag web-03 add a=b");
    expect(answer).toContain("*`web-03`* · SHUTOFF — :lock: locked · :no_entry: blocked: it is locked");
    expect(answer).not.toContain("SHUTOFF → SHUTOFF");
  });
});

describe("a failed attach or detach says what to look at next", () => {
  it("attach: /ecs show of the server, and whether the disk is still free", async () => {
    const volume = h.sim.control.volumes()[0]!.id;
    h.sim.control.failNextJob({ reason: "Volume in-use cannot be attached" });
    await h.command(`attach web-04 ${volume}`);
    const card = await h.waitCard(`/ecs attach web-04 ${volume}`, (t) => t.includes("failed"));
    const done = await summary(card);
    expect(done).toContain("• web-04: Volume in-use cannot be attached");
    expect(done).toContain(
      "Next: `/ecs show web-04` to see its disks; asking again checks first whether the disk is still free.",
    );
  });

  it("detach: /ecs show of the server, and whether the disk is still attached", async () => {
    const disk = h.sim.control.server("cache-02")!.disks.find((d) => d.bootIndex !== 0)!;
    const command = `/ecs detach cache-02 ${disk.id}`;
    h.sim.control.failNextJob({ reason: "Detach volume failed" });
    await h.command(command.slice("/ecs ".length));
    const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
    await h.click(card, APPROVE, IDS.bob);
    const done = await summary(card);
    expect(done).toContain("• cache-02: Detach volume failed");
    expect(done).toContain(
      "Next: `/ecs show cache-02` to see its disks, and whether the disk is still attached.",
    );
  });
});

describe("a delete's card", () => {
  it("names the data disks and EIPs that go once: no warning counting them again", async () => {
    const eip = "121.36.0.99";
    h.sim.control.setServer(h.serverId("cache-02"), { publicIp: eip });
    const disk = h.sim.control.server("cache-02")!.disks.find((d) => d.bootIndex !== 0)!;
    const command = "/ecs delete cache-02 --delete-volume --delete-eip";
    await h.command(command.slice("/ecs ".length));
    const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
    const text = textOf(card);
    expect(text).toContain(
      `:wastebasket: *Deleted too:* data disk \`${disk.id}\` (\`${disk.device}\`) · *Released too:* EIP \`${eip}\``,
    );
    expect(text).not.toContain("will be deleted");
    expect(text).not.toContain("will be released");
  });

  it("another operation keeps its warnings: a stop of a stopped server among running ones", async () => {
    h.sim.control.setServer(h.serverId("web-03"), { status: "SHUTOFF" });
    await h.command("stop web-03 web-04 --hard");
    const card = await h.waitCard("/ecs stop web-03 web-04 --hard", (t) => t.includes("Approval needed"));
    expect(textOf(card)).toContain("Checks passed, with 1 warning:");
    expect(textOf(card)).toContain(":warning: web-03: already SHUTOFF; it will be left out");
  });
});
