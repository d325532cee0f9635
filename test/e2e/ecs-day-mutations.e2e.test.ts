/**
 * The operator's-day changes end to end over signed Slack requests: tags, lock/unlock, reinstall and OS
 * change, attach/detach, migration, and the quota check of a resize. For each: the shipped policy's answer
 * (allowed, or a card asking for N approvals), the approvals, exactly one call reaching the simulator, the
 * thread's summary, and the refusals the preflight makes with their reason.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
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

/** The newest ephemeral reply to `user` that includes `needle`. */
function reply(user: string, needle: string): Promise<string> {
  return h.fake.waitFor(() => h.ephemeralTexts(user).findLast((t) => t.includes(needle)));
}

/** Waits for the run's summary in the card's thread. */
function summary(card: FakeSlackMessage, needle: string): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes(needle)),
  );
}

/** Approves as each of `users` in turn, waiting for the card to count each approval. */
async function approve(command: string, card: FakeSlackMessage, users: string[], of: number): Promise<void> {
  for (const [i, user] of users.entries()) {
    await h.click(card, APPROVE, user);
    if (i < users.length - 1) await h.waitCard(command, (t) => t.includes(`${i + 1} of ${of}`));
  }
}

/** What the card's Details button answers (rules, IDs, the full preflight), as an onlooker sees it. */
async function details(card: FakeSlackMessage): Promise<string> {
  const before = h.ephemeralTexts(IDS.dave).length;
  await h.click(card, "ops.request.details", IDS.dave);
  return h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.dave)
      .slice(before)
      .find((t) => t.includes("Details")),
  );
}

/** The server's tags in the simulator, `key=value`. */
function tagsOf(name: string): string[] {
  const s = h.sim.control.server(name);
  if (!s) throw new Error(`no server ${name}`);
  return Object.entries(s.tags)
    .map(([k, v]) => `${k}=${v}`)
    .sort();
}

it("/ecs tag worker-01 add owner=alice: allowed, one tag call, confirmed from the server, summarised", async () => {
  await h.command("tag worker-01 add owner=alice");
  const card = await h.waitCard("/ecs tag worker-01 add owner=alice", (t) => t.includes("Done"));
  expect(textOf(card)).toContain("Allowed by the policy");
  expect(await details(card)).toContain("tag-changes");
  expect(await summary(card, "1 tagged")).toBeTruthy();
  expect(h.mutations("batchCreateServerTags")).toHaveLength(1);
  expect(tagsOf("worker-01")).toContain("owner=alice");
});

it("/ecs tag worker-01 add env=prod: a tag the policy matches on needs 1 approval; approved, one call", async () => {
  const command = "/ecs tag worker-01 add env=prod";
  await h.command("tag worker-01 add env=prod");
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  const text = textOf(card);
  expect(text).toContain("0 of 1");
  const more = await details(card);
  expect(more).toContain("policy-tag-change-needs-approval");
  expect(more).toContain("+env=prod");
  expect(more).toContain("−env=dev");
  expect(h.mutations("batchCreateServerTags")).toHaveLength(0);
  await approve(command, card, [IDS.bob], 1);
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(await summary(card, "1 tagged")).toBeTruthy();
  expect(h.mutations("batchCreateServerTags")).toHaveLength(1);
  expect(tagsOf("worker-01")).toContain("env=prod");
});

it("/ecs tag web-01 remove env: removing env=prod needs 2 approvals; one call after both", async () => {
  const command = "/ecs tag web-01 remove env";
  await h.command("tag web-01 remove env");
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("0 of 2");
  expect(await details(card)).toContain("leaving-prod-needs-one-more");
  await approve(command, card, [IDS.bob], 2);
  await h.waitCard(command, (t) => t.includes("1 of 2"));
  expect(h.mutations("batchDeleteServerTags")).toHaveLength(0);
  await h.click(card, APPROVE, IDS.carol);
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(await summary(card, "1 untagged")).toBeTruthy();
  expect(h.mutations("batchDeleteServerTags")).toHaveLength(1);
  expect(tagsOf("web-01").some((t) => t.startsWith("env="))).toBe(false);
});

it("a tag change approved on tags that changed before it ran is aborted as drift, with no call", async () => {
  const command = "/ecs tag worker-01 add env=staging";
  await h.command("tag worker-01 add env=staging");
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  // Someone sets the very tag in the console meanwhile: the approval was for a server without it.
  h.sim.control.setServer(h.serverId("worker-01"), {
    tags: { env: "staging", team: "data", role: "worker" },
  });
  await h.click(card, APPROVE, IDS.bob);
  const done = await h.waitCard(command, (t) => /aborted|Not run/.test(t));
  expect(textOf(done)).toMatch(/env=staging|env=dev/);
  expect(h.mutations("batchCreateServerTags")).toHaveLength(0);
});

it("/ecs tag refuses a change that would leave a server with more than 10 tags", async () => {
  const tags = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, "v"]));
  h.sim.control.setServer(h.serverId("worker-01"), { tags: { env: "dev", ...tags } });
  await h.command("tag worker-01 add a=1 b=2");
  const text = await reply(IDS.alice, "/ecs tag worker-01 add a=1 b=2");
  expect(text).toContain("would have 12 tags; an ECS has at most 10");
  expect(h.mutations()).toHaveLength(0);
});

it("/ecs lock: allowed, one lock call; the server shows locked; a stop is then refused; unlock needs 1 approval", async () => {
  await h.command("lock web-03");
  const lockCard = await h.waitCard("/ecs lock web-03", (t) => t.includes("Done"));
  expect(await details(lockCard)).toContain("lock-and-attach");
  expect(await summary(lockCard, "1 locked")).toBeTruthy();
  expect(h.mutations("lockServer")).toHaveLength(1);
  expect(h.sim.control.server("web-03")!.locked).toBe(true);

  await h.command("show web-03");
  expect(await reply(IDS.alice, "changes are refused until it is unlocked")).toContain("web-03");
  await h.command("list name=web-03");
  expect(await reply(IDS.alice, "ECS servers")).toContain("locked");

  await h.command("stop web-03");
  const refusal = await reply(IDS.alice, "/ecs stop web-03");
  expect(refusal).toContain("is locked, and a locked server refuses changes");
  expect(h.mutations("batchStopServers")).toHaveLength(0);

  // Locking it again does nothing: it is left out and there is nothing to do.
  await h.command("lock web-03");
  expect(await reply(IDS.alice, "nothing to lock")).toContain("already locked");

  const command = "/ecs unlock web-03";
  await h.command("unlock web-03");
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("0 of 1");
  expect(textOf(card)).toContain("locked");
  await h.click(card, APPROVE, IDS.carol);
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(await summary(card, "1 unlocked")).toBeTruthy();
  expect(h.mutations("unlockServer")).toHaveLength(1);
  expect(h.sim.control.server("web-03")!.locked).toBe(false);
});

it("/ecs lock of a locked and an unlocked server: one call; the locked one is skipped as already locked", async () => {
  h.sim.control.setServer(h.serverId("db-01"), { locked: true });
  await h.command("lock db-01,db-02");
  const card = await h.waitCard("/ecs lock db-01,db-02", (t) => t.includes("Done"));
  expect(textOf(card)).toContain("db-01: already locked; it will be left out");
  const done = await summary(card, "your request finished");
  expect(done).toContain("1 locked, 1 skipped");
  expect(done).toContain("skipped: nothing to do (it was already locked)");
  expect(done).not.toContain("(it was ACTIVE)");
  expect(h.mutations("lockServer")).toHaveLength(1);
});

it("/ecs tag … remove of a key one server lacks: that server is counted skipped, not untagged", async () => {
  h.sim.control.setServer(h.serverId("web-03"), {
    tags: { ...h.sim.control.server("web-03")!.tags, owner: "alice" },
  });
  const lacking = { ...h.sim.control.server("web-04")!.tags };
  delete lacking.owner;
  h.sim.control.setServer(h.serverId("web-04"), { tags: lacking });
  await h.command("tag web-03 web-04 remove owner");
  const card = await h.waitCard("/ecs tag web-03 web-04 remove owner", (t) => t.includes("Done"));
  expect(textOf(card)).toContain("web-04: has no tag owner; nothing changes");
  const done = await summary(card, "your request finished");
  expect(done).toContain("1 untagged, 1 skipped");
  expect(done).toContain("skipped: nothing to do (its tags were already so)");
  expect(tagsOf("web-03")).not.toContain("owner=alice");
  // Skipped means no call: only web-03's tags were sent for deletion.
  const calls = h.mutations("batchDeleteServerTags");
  expect(calls).toHaveLength(1);
  expect(calls[0]?.path).toContain(h.serverId("web-03"));
});

it("/ecs reinstall worker-01: 2 approvals, the server's own key pair bound, one reinstall call, job followed", async () => {
  const command = "/ecs reinstall worker-01";
  await h.command("reinstall worker-01");
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  const text = textOf(card);
  expect(text).toContain("0 of 2");
  expect(text).toContain("KeyPair-ops");
  expect(text).toContain("system disk wiped, data disks kept");
  const more = await details(card);
  expect(more).toContain("os-change-needs-two-approvals");
  expect(more).toContain("system: wiped");
  await approve(command, card, [IDS.bob, IDS.carol], 2);
  await h.waitCard(command, (t) => t.includes("Done"));
  const done = await summary(card, "1 reinstalled");
  expect(done).toMatch(/jobs: `[^`]+`/);
  const calls = h.mutations("reinstallOS");
  expect(calls).toHaveLength(1);
  expect(h.sim.control.server("worker-01")!.status).toBe("ACTIVE");
});

it("/ecs reinstall of a prod server needs 3 approvals; a password is refused and never echoed", async () => {
  // Three approvals, and only two people (@ops-approvers: Bob and Carol) could give one: refused as it is.
  await h.command("reinstall api-01");
  expect(await reply(IDS.alice, "/ecs reinstall api-01")).toContain("needs 3 approvals");

  // However it is written: a flag, `key:value`, a quoted flag.
  for (const [i, form] of [
    "--password Sup3rS3cret0",
    "password:Sup3rS3cret1",
    '"--password" Sup3rS3cret2',
  ].entries()) {
    const before = h.ephemeralTexts(IDS.alice).length;
    await h.command(`reinstall worker-01 ${form}`);
    await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).length > before || undefined);
    const refusal = await reply(IDS.alice, "never takes a password");
    expect(refusal).not.toContain(`Sup3rS3cret${i}`);
    expect(h.ephemeralTexts(IDS.alice).join("\n")).not.toContain(`Sup3rS3cret${i}`);
    expect(h.logs.map((l) => JSON.stringify(l)).join("\n")).not.toContain(`Sup3rS3cret${i}`);
  }
  expect(h.mutations()).toHaveLength(0);
  // The bot's own signing secret pasted into a command is masked in the logged command text too, and the
  // command is refused: the secret would otherwise reach a card, the audit or a tag.
  await h.command(`show web-01 ${h.fake.signingSecret}`);
  await h.fake.waitFor(
    () =>
      h.logs.some(
        (l) =>
          JSON.stringify(l).includes("command received") &&
          JSON.stringify(l).includes("show web-01 [redacted]"),
      ) || undefined,
  );
  expect(h.logs.map((l) => JSON.stringify(l)).join("\n")).not.toContain(h.fake.signingSecret);
  const [latest] = await h.audit.query({ limit: 1 });
  await h.command(`tag web-01 add note=${h.fake.botToken}`);
  const refusal = await reply(IDS.alice, "holds one of this bot's own secrets");
  expect(refusal).not.toContain(h.fake.botToken);
  expect((await h.audit.query({ limit: 1 }))[0]?.seq).toBe(latest?.seq);
  expect(h.mutations()).toHaveLength(0);
});

it("/ecs reinstall of a server without a key pair is refused: the bot never sets a password", async () => {
  h.sim.control.addServer({ name: "win-07", image: "win2019", status: "SHUTOFF", tags: { env: "dev" } });
  await h.command("reinstall win-07");
  expect(await reply(IDS.alice, "/ecs reinstall win-07")).toContain("has no key pair");
  expect(h.mutations()).toHaveLength(0);
});

it("/ecs change-os api-02 <image> --keypair: 2 approvals, the running-or-stopped rules, one OS change call", async () => {
  const image = "1b1d5f3c-6a6f-4d1e-9a43-2b8d2d7c0a01";
  const command = `/ecs change-os api-02 ${image} --keypair KeyPair-deploy`;
  await h.command(`change-os api-02 ${image} --keypair KeyPair-deploy`);
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("0 of 2");
  expect(textOf(card)).toContain("KeyPair-deploy");
  await approve(command, card, [IDS.bob, IDS.carol], 2);
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(await summary(card, "1 moved to the new image")).toBeTruthy();
  expect(h.mutations("changeOS")).toHaveLength(1);
  expect(h.sim.control.server("api-02")!.imageId).toBe(image);
});

it("/ecs attach then /ecs detach: attach allowed, detach needs 1 approval, one call each; the system disk is refused", async () => {
  const volume = h.sim.control.volumes()[0]!.id;
  await h.command(`attach web-04 ${volume}`);
  const attachCard = await h.waitCard(`/ecs attach web-04 ${volume}`, (t) => t.includes("Done"));
  expect(await details(attachCard)).toContain("lock-and-attach");
  expect(await summary(attachCard, "1 attached")).toBeTruthy();
  expect(h.mutations("attachVolume")).toHaveLength(1);
  expect(h.sim.control.server("web-04")!.disks.some((d) => d.id === volume)).toBe(true);

  const command = `/ecs detach web-04 ${volume}`;
  await h.command(`detach web-04 ${volume}`);
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("0 of 1");
  expect(await details(card)).toContain("data disk");
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(await summary(card, "1 detached")).toBeTruthy();
  expect(h.mutations("detachVolume")).toHaveLength(1);

  const system = h.sim.control.server("web-04")!.disks.find((d) => d.bootIndex === 0)!.id;
  await h.command(`detach web-04 ${system}`);
  expect(await reply(IDS.alice, "is its system disk")).toContain("detaching it is refused");
  expect(h.mutations("detachVolume")).toHaveLength(1);
});

it("/ecs attach of a disk attached already is refused by the preflight", async () => {
  const data = h.sim.control.server("db-01")!.disks.find((d) => d.bootIndex !== 0)!.id;
  await h.command(`attach db-01 ${data}`);
  expect(await reply(IDS.alice, `/ecs attach db-01 ${data}`)).toContain("is attached to it already");
  expect(h.mutations()).toHaveLength(0);
});

it("/ecs migrate api-02 --dedicated-host: 1 approval, one migrate call, the job followed", async () => {
  const host = h.sim.control.dedicatedHosts()[0]!;
  const command = `/ecs migrate api-02 --dedicated-host ${host}`;
  await h.command(`migrate api-02 --dedicated-host ${host}`);
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("0 of 1");
  expect(await details(card)).toContain("migrate-needs-approval");
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(await summary(card, "1 migrated")).toBeTruthy();
  expect(h.mutations("migrateServer")).toHaveLength(1);
  expect(h.mutations("batchStopServers")).toHaveLength(0);
  expect(h.sim.control.server("api-02")!.dedicatedHostId).toBe(host);
});

it("/ecs migrate of a prod server needs 2 approvals", async () => {
  // On a dedicated host, so that a migration without --dedicated-host (back to the public pool) is one ECS makes.
  h.sim.control.setServer(h.serverId("web-01"), { dedicatedHostId: h.sim.control.dedicatedHosts()[0]! });
  await h.command("migrate web-01");
  const card = await h.waitCard("/ecs migrate web-01", (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("0 of 2");
});

it("a resize the vCPU quota cannot hold is refused by the preflight with the figures", async () => {
  const used = h.sim.control.quotas().totalCoresUsed;
  h.sim.control.setQuotas({ maxTotalCores: used + 1 });
  await h.command("resize web-03 c7.2xlarge.4");
  const text = await reply(IDS.alice, "/ecs resize web-03 c7.2xlarge.4");
  expect(text).toContain("the vCPU quota would be exceeded");
  expect(text).toContain(`${used.toLocaleString("en-US")} of ${(used + 1).toLocaleString("en-US")} in use`);
  expect(h.mutations()).toHaveLength(0);
});

it("/ops policy explain of tag changes gives the table's answers, from the rules, changing nothing", async () => {
  for (const [line, expected] of [
    ["ecs tag worker-01 add owner=x", "Allowed"],
    ["ecs tag worker-01 add env=prod", "Needs 1 approval"],
    ["ecs tag web-01 remove env=prod", "Needs 2 approvals"],
  ] as const) {
    await h.command(`policy explain ${line}`, { command: "/ops" });
    const text = await reply(IDS.alice, `/${line}`);
    expect(text).toContain(expected);
  }
  expect(h.mutations()).toHaveLength(0);
});
