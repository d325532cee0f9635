import { describe, expect, it } from "vitest";
import type { ChatPort, ChatUserGroup } from "../../src/app/ports.js";
import { groupHandlesOf, readGroupsOnce } from "../../src/app/read-groups-once.js";

const GROUPS: ChatUserGroup[] = [
  { id: "S2", handle: "sre", users: ["U1", "U2"] },
  { id: "S1", handle: "dba", users: ["U1"] },
  { id: "S3", handle: "web", users: ["U3"] },
];

/** A chat port that only answers `listUserGroups` and `recentUserGroups`, counting the reads of each. */
function chatReading(read: () => Promise<ChatUserGroup[]>): {
  chat: ChatPort;
  reads: () => number;
  recentReads: () => number;
} {
  let reads = 0;
  let recentReads = 0;
  const unused = () => {
    throw new Error("not used here");
  };
  const chat: ChatPort = {
    postMessage: unused,
    updateMessage: unused,
    postEphemeral: unused,
    openModal: unused,
    userGroupsOf: unused,
    listUserGroups: () => {
      reads++;
      return read();
    },
    recentUserGroups: () => {
      recentReads++;
      return read();
    },
    userTimeZone: unused,
    getPermalink: unused,
    postDirect: unused,
    publishHome: unused,
  };
  return { chat, reads: () => reads, recentReads: () => recentReads };
}

describe("groupHandlesOf", () => {
  it("the handles of the user's groups, sorted; none for a stranger", () => {
    expect(groupHandlesOf(GROUPS, "U1")).toEqual(["dba", "sre"]);
    expect(groupHandlesOf(GROUPS, "U9")).toEqual([]);
  });
});

describe("readGroupsOnce", () => {
  it("reads the groups once, on first use, for every question of the command", async () => {
    const { chat, reads } = chatReading(async () => GROUPS);
    const once = readGroupsOnce(chat);
    expect(reads()).toBe(0);
    const [a, b, all] = await Promise.all([
      once.userGroupsOf("U1"),
      once.userGroupsOf("U3"),
      once.listUserGroups(),
    ]);
    expect(a).toEqual(["dba", "sre"]);
    expect(b).toEqual(["web"]);
    expect(all.map((g) => g.handle)).toEqual(["sre", "dba", "web"]);
    expect(await once.userGroupsOf("U2")).toEqual(["sre"]);
    expect(reads()).toBe(1);
    // Another command's port reads again.
    await readGroupsOnce(chat).userGroupsOf("U1");
    expect(reads()).toBe(2);
  });

  it("asks for the recent groups once; a read made now for the command answers for them", async () => {
    const recentFirst = chatReading(async () => GROUPS);
    const once = readGroupsOnce(recentFirst.chat);
    const [a, b] = await Promise.all([once.recentUserGroups(), once.recentUserGroups()]);
    expect(a).toEqual(GROUPS);
    expect(b).toEqual(GROUPS);
    expect([recentFirst.recentReads(), recentFirst.reads()]).toEqual([1, 0]);
    // Who may approve a click is read now even after a recent read.
    expect(await once.userGroupsOf("U1")).toEqual(["dba", "sre"]);
    expect([recentFirst.recentReads(), recentFirst.reads()]).toEqual([1, 1]);

    const nowFirst = chatReading(async () => GROUPS);
    const click = readGroupsOnce(nowFirst.chat);
    await click.userGroupsOf("U1");
    (await click.recentUserGroups())[0]?.users.push("U9");
    expect(await click.recentUserGroups()).toEqual(GROUPS);
    expect([nowFirst.recentReads(), nowFirst.reads()]).toEqual([0, 1]);
  });

  it("each caller gets its own copy: one caller's changes never reach another", async () => {
    const once = readGroupsOnce(chatReading(async () => GROUPS).chat);
    const first = await once.listUserGroups();
    first[0]?.users.push("U9");
    first.pop();
    const second = await once.listUserGroups();
    expect(second).toEqual(GROUPS);
    expect(await once.userGroupsOf("U9")).toEqual([]);
  });

  it("a failed read fails every question that shares it, with the chat's error", async () => {
    const { chat, reads } = chatReading(async () => {
      throw new Error("usergroups.list: ratelimited");
    });
    const once = readGroupsOnce(chat);
    await expect(once.userGroupsOf("U1")).rejects.toThrow("ratelimited");
    await expect(once.listUserGroups()).rejects.toThrow("ratelimited");
    expect(reads()).toBe(1);
  });
});
