/**
 * What a detach or a delete leaves behind, over signed HTTP against the simulated cloud and the fake Slack: the
 * detach's card names the device; its summary says the disk is kept and available, with the exact command that
 * attaches it again on that device. A delete's card names the data disks and EIPs that go and those that stay
 * (still billed); its summary names what was kept.
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
const EIP = "121.36.0.99";
const dataDisk = (name: string) => h.sim.control.server(name)!.disks.find((d) => d.bootIndex !== 0)!;

function summary(card: FakeSlackMessage): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("your request finished")),
  );
}

/** Asks for `command`, returns its approval card once posted. */
async function ask(command: string): Promise<FakeSlackMessage> {
  await h.command(command.slice("/ecs ".length));
  return h.waitCard(command, (t) => t.includes("Approval needed"));
}

/** Approves a delete (two approvals) and returns its summary. */
async function approveDelete(command: string, card: FakeSlackMessage): Promise<string> {
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(command, (t) => t.includes("1 of 2"));
  await h.click(card, APPROVE, IDS.carol);
  await h.waitCard(command, (t) => t.includes("Done"));
  return summary(card);
}

describe("detach", () => {
  it("the card names the device; the summary says the disk is kept, available, and how to attach it again", async () => {
    const disk = dataDisk("cache-02");
    const command = `/ecs detach cache-02 ${disk.id}`;
    const card = await ask(command);
    expect(textOf(card)).toContain(`*Options:* disk \`${disk.id}\` (attached as \`${disk.device}\`)`);
    await h.click(card, APPROVE, IDS.bob);
    await h.waitCard(command, (t) => t.includes("Done"));
    const done = await summary(card);
    expect(done).toContain("1 detached");
    expect(done).toContain(
      `Disk \`${disk.id}\` (was \`${disk.device}\`) is kept, now available; to attach it again: \`/ecs attach cache-02 ${disk.id} ${disk.device}\``,
    );
    expect(h.sim.control.server("cache-02")!.disks.map((d) => d.id)).not.toContain(disk.id);
    expect(h.mutations("detachVolume")).toHaveLength(1);

    // The command given works as written: the disk is back on the device it had.
    await h.command(`attach cache-02 ${disk.id} ${disk.device}`);
    await h.fake.waitFor(() =>
      h.sim.control.server("cache-02")!.disks.find((d) => d.id === disk.id && d.device === disk.device),
    );
  });
});

describe("delete", () => {
  it("--delete-volume, not --delete-eip: the card names the disk deleted and the EIP kept; the summary the EIP kept", async () => {
    h.sim.control.setServer(h.serverId("cache-02"), { publicIp: EIP });
    const disk = dataDisk("cache-02");
    const command = "/ecs delete cache-02 --delete-volume";
    const card = await ask(command);
    const text = textOf(card);
    expect(text).toContain(`:wastebasket: *Deleted too:* data disk \`${disk.id}\` (\`${disk.device}\`)`);
    expect(text).toContain(`:package: *Kept* (still billed): EIP \`${EIP}\``);
    // Named once, on that line: no warning counting it again.
    expect(text).not.toContain("will be deleted");
    expect(text).not.toMatch(/disk\(s\)|EIP\(s\)/);
    const done = await approveDelete(command, card);
    expect(done).toContain("1 deleted");
    expect(done).toContain(`:package: *Kept* (not deleted, still billed): EIP \`${EIP}\``);
    expect(done).not.toContain(disk.id);
  });

  it("--delete-eip, not --delete-volume: the card names the EIP released and the disk kept; the summary the disk kept", async () => {
    h.sim.control.setServer(h.serverId("cache-02"), { publicIp: EIP });
    const disk = dataDisk("cache-02");
    const command = "/ecs delete cache-02 --delete-eip";
    const card = await ask(command);
    const text = textOf(card);
    expect(text).toContain(`:wastebasket: *Released too:* EIP \`${EIP}\``);
    expect(text).toContain(`:package: *Kept* (still billed): data disk \`${disk.id}\` (\`${disk.device}\`)`);
    expect(text).not.toContain("will be released");
    expect(text).not.toMatch(/disk\(s\)|EIP\(s\)/);
    const done = await approveDelete(command, card);
    expect(done).toContain(
      `:package: *Kept* (not deleted, still billed): data disk \`${disk.id}\` (\`${disk.device}\`)`,
    );
    expect(done).not.toContain(EIP);
  });
});
