import { describe, expect, it } from "vitest";
import type { Target } from "../../src/intents/index.js";
import {
  type ApprovedServer,
  approvedServersFromRequest,
  approvedServersOf,
  checkApprovedServers,
  referencesOf,
} from "../../src/recurring/approved-servers.js";
import type { TargetOutcome } from "../../src/targets/index.js";

interface S {
  id: string;
  name: string;
  addresses: { addr: string }[];
  tags: string[];
}
const srv = (id: string, name: string, addr = "10.0.0.1"): S => ({
  id,
  name,
  addresses: [{ addr }],
  tags: [],
});

const OLD = srv("id-old", "web-03");
const NEW = srv("id-new", "web-03");
const name = (n: string): Target => ({ kind: "name", name: n });
const WEB03 = name("web-03");
const PINNED: ApprovedServer[] = [{ target: "name:web-03", id: "id-old", name: "web-03" }];

const none = () => [];

describe("what a schedule keeps of the servers its approvers saw", () => {
  it("keeps one server per reference (name, ID, IP), none for a selector", () => {
    const tag: Target = { kind: "tag", key: "env", value: "dev" };
    const id: Target = { kind: "id", id: "id-x" };
    const outcomes: TargetOutcome<S>[] = [
      { kind: "resolved", target: WEB03, rule: "name", servers: [OLD] },
      { kind: "resolved", target: tag, rule: "tag", servers: [srv("id-t1", "dev-1"), srv("id-t2", "dev-2")] },
      { kind: "resolved", target: id, rule: "id", servers: [srv("id-x", "db-1")] },
    ];
    expect(approvedServersOf(outcomes)).toEqual([
      { target: "name:web-03", id: "id-old", name: "web-03" },
      { target: "id:id-x", id: "id-x", name: "db-1" },
    ]);
    expect(referencesOf([WEB03, tag, id])).toEqual([WEB03, id]);
  });

  it("a schedule stored before: traced from its creation request's servers, never from what a name names now", () => {
    const ip: Target = { kind: "ip", ip: "10.0.0.9", version: 4 };
    const id: Target = { kind: "id", id: "id-gone" };
    const request = [
      { id: "id-old", name: "web-03" },
      { id: "id-db", name: "db-1" },
    ];
    const now = (t: Target) => (t.kind === "ip" ? [srv("id-db", "db-1-renamed", "10.0.0.9")] : [NEW]);
    expect(approvedServersFromRequest([WEB03, ip, id], request, now)).toEqual([
      { target: "name:web-03", id: "id-old", name: "web-03" },
      { target: "ip:10.0.0.9", id: "id-db", name: "db-1" },
      { target: "id:id-gone", id: "id-gone" },
    ]);
    // The address now on a server the request did not hold: not traced.
    expect(approvedServersFromRequest([ip], request, () => [NEW])).toEqual([]);
    // The request expired: an ID is still its own server; a name cannot be traced.
    expect(approvedServersFromRequest([WEB03, id], undefined, now)).toEqual([
      { target: "id:id-gone", id: "id-gone" },
    ]);
  });
});

describe("each run against the servers approved", () => {
  it("the approved server as approved: acted on, nothing to say", () => {
    const [c] = checkApprovedServers([WEB03], PINNED, new Map([["id-old", OLD]]), () => [OLD]);
    expect(c).toEqual({ kind: "same", target: WEB03, server: OLD });
  });

  it("renamed, and a new server took its name: the approved one by ID, the new one left alone", () => {
    const retired = { ...OLD, name: "web-03-retired" };
    const [c] = checkApprovedServers([WEB03], PINNED, new Map([["id-old", retired]]), () => [NEW]);
    expect(c).toEqual({ kind: "moved", target: WEB03, approved: PINNED[0], server: retired, others: [NEW] });
  });

  it("renamed only: still the approved one", () => {
    const retired = { ...OLD, name: "web-03-retired" };
    const [c] = checkApprovedServers([WEB03], PINNED, new Map([["id-old", retired]]), none);
    expect(c).toMatchObject({ kind: "moved", server: retired, others: [] });
  });

  it("a duplicate of the name beside the approved one: the approved one, the other said", () => {
    const [c] = checkApprovedServers([WEB03], PINNED, new Map([["id-old", OLD]]), () => [OLD, NEW]);
    expect(c).toMatchObject({ kind: "moved", server: OLD, others: [NEW] });
  });

  it("deleted: skipped, with or without a server that took the name", () => {
    expect(checkApprovedServers([WEB03], PINNED, new Map(), none)).toEqual([
      { kind: "gone", target: WEB03, approved: PINNED[0], others: [] },
    ]);
    expect(checkApprovedServers([WEB03], PINNED, new Map(), () => [NEW])[0]).toMatchObject({
      kind: "gone",
      others: [NEW],
    });
  });

  it("no approved server known for a reference: skipped, never the server the name names now", () => {
    expect(checkApprovedServers([WEB03], [], new Map(), () => [NEW])).toEqual([
      { kind: "unknown", target: WEB03, others: [NEW] },
    ]);
  });

  it("an approved server without its name (an ID, its request expired) is not called renamed", () => {
    const id: Target = { kind: "id", id: "id-old" };
    const [c] = checkApprovedServers(
      [id],
      [{ target: "id:id-old", id: "id-old" }],
      new Map([["id-old", { ...OLD, name: "x" }]]),
      () => [{ ...OLD, name: "x" }],
    );
    expect(c?.kind).toBe("same");
  });
});
