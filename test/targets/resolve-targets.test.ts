import { describe, expect, it } from "vitest";
import type { Target } from "../../src/intents/index.js";
import { createListLookup, resolveTargets } from "../../src/targets/resolve-targets.js";
import type { ResolvableServer, TargetLookup } from "../../src/targets/types.js";

interface S extends ResolvableServer {
  id: string;
  name: string;
  addresses: { addr: string }[];
  tags: string[];
}

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const server = (n: number, name: string, ip: string, tags: string[] = []): S => ({
  id: id(n),
  name,
  addresses: [{ addr: ip }],
  tags,
});

const FLEET: S[] = [
  server(1, "web-01", "10.0.0.1", ["env=prod", "role=web"]),
  server(2, "web-02", "10.0.0.2", ["env=prod", "role=web"]),
  server(3, "web-010", "10.0.0.10", ["env=staging"]),
  server(4, "db-01", "10.0.0.4", ["env=prod", "role=db"]),
  server(5, "dup-01", "10.0.1.5", ["env=dev"]),
  server(6, "dup-01", "10.0.2.5", ["env=dev"]),
  server(7, "Cache-Primary", "10.0.0.7"),
  server(8, "10.9.9.9", "10.0.0.8"),
  server(9, "twin-a", "172.16.0.1"),
  server(10, "twin-b", "172.16.0.1"),
  server(11, "v6-host", "2001:db8::1"),
];

/** The list lookup, recording which lookups were asked (so tests can check no fleet listing happens). */
function recording(servers: S[] = FLEET) {
  const base = createListLookup(servers);
  const calls: string[] = [];
  const record = <T>(call: string, result: T): T => {
    calls.push(call);
    return result;
  };
  const lookup: TargetLookup<S> = {
    byId: (v) => record(`id:${v}`, base.byId(v)),
    byName: (v) => record(`name:${v}`, base.byName(v)),
    byIp: (v, ver) => record(`ip:${v}`, base.byIp(v, ver)),
    byTag: (k, v) => record(`tag:${k}=${v}`, base.byTag(k, v)),
    all: () => record("all", base.all()),
    knownNames: () => base.knownNames?.(),
  };
  return { lookup, calls };
}

const name = (n: string): Target => ({ kind: "name", name: n });
const ip = (a: string, version: 4 | 6 = 4): Target => ({ kind: "ip", ip: a, version });
const tag = (key: string, value: string): Target => ({ kind: "tag", key, value });
const byId = (v: string): Target => ({ kind: "id", id: v });

describe("resolveTargets", () => {
  it("exact ID", async () => {
    const { lookup, calls } = recording();
    const r = await resolveTargets([byId(id(4))], lookup);
    expect(r).toMatchObject({ ok: true, servers: [{ name: "db-01" }] });
    expect(r.outcomes[0]).toMatchObject({ kind: "resolved", rule: "id" });
    expect(calls).toEqual([`id:${id(4)}`]);
  });

  it("an unknown ID is not found, without name suggestions", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([byId(id(99))], lookup);
    expect(r.ok).toBe(false);
    expect(r.outcomes).toEqual([{ kind: "not_found", target: byId(id(99)), suggestions: [] }]);
  });

  it("exact name wins over a longer name sharing the prefix", async () => {
    const { lookup, calls } = recording();
    const r = await resolveTargets([name("web-01")], lookup);
    expect(r).toMatchObject({ ok: true, servers: [{ id: id(1) }] });
    expect(r.outcomes[0]).toMatchObject({ rule: "name" });
    expect(calls).toEqual(["name:web-01"]);
  });

  it("reads: names are case-sensitive for the exact rule; a unique case-insensitive prefix resolves", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([name("cache")], lookup, { names: "prefix" });
    expect(r).toMatchObject({ ok: true, servers: [{ name: "Cache-Primary" }] });
    expect(r.outcomes[0]).toMatchObject({ rule: "prefix" });
    const upper = await resolveTargets([name("DB")], lookup, { names: "prefix" });
    expect(upper).toMatchObject({ ok: true, servers: [{ name: "db-01" }] });
  });

  it("reads: a name differing only in case resolves by the rule `case`, not `prefix`", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([name("DB-01")], lookup, { names: "prefix" });
    expect(r).toMatchObject({ ok: true, servers: [{ name: "db-01" }] });
    expect(r.outcomes[0]).toMatchObject({ kind: "resolved", rule: "case" });
    const cache = await resolveTargets([name("cache-primary")], lookup, { names: "prefix" });
    expect(cache.outcomes[0]).toMatchObject({
      kind: "resolved",
      rule: "case",
      servers: [{ name: "Cache-Primary" }],
    });
    // Still a prefix when the name only starts so, and still ambiguous when a longer name shares it.
    expect((await resolveTargets([name("CACHE")], lookup, { names: "prefix" })).outcomes[0]).toMatchObject({
      rule: "prefix",
    });
    expect((await resolveTargets([name("WEB-01")], lookup, { names: "prefix" })).ok).toBe(false);
    // A change never takes a different case.
    expect((await resolveTargets([name("DB-01")], lookup)).ok).toBe(false);
  });

  it("mutations (the default): a prefix or a different case is never acted on, only suggested", async () => {
    const { lookup } = recording();
    for (const [typed, meant] of [
      ["web-0", ["web-01", "web-02", "web-010"]],
      ["cache", ["Cache-Primary"]],
      ["DB-01", ["db-01"]],
      ["WEB-01", ["web-01", "web-010"]],
    ] as const) {
      const r = await resolveTargets([name(typed)], lookup);
      expect(r.ok, typed).toBe(false);
      if (r.ok) continue;
      expect(r.failed[0], typed).toMatchObject({ kind: "not_found", target: name(typed) });
      const suggestions = r.failed[0]?.kind === "not_found" ? r.failed[0].suggestions : [];
      expect(suggestions.slice(0, meant.length), typed).toEqual(meant);
      expect(r.ambiguous).toEqual([]);
    }
  });

  it("mutations: web-1 never becomes web-10; web-10 is suggested first", async () => {
    const fleet = [
      server(1, "web-10", "10.0.0.10"),
      server(2, "web-2", "10.0.0.2"),
      server(3, "web-11", "10.0.0.11"),
    ];
    const { lookup } = recording(fleet);
    const r = await resolveTargets([name("web-1")], lookup);
    expect(r).toMatchObject({
      ok: false,
      failed: [{ kind: "not_found", suggestions: ["web-10", "web-11", "web-2"] }],
    });
  });

  it("a prefix matching several servers is ambiguous (never a guess)", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([name("WEB-01")], lookup, { names: "prefix" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.ambiguous).toHaveLength(1);
    expect(r.ambiguous[0]).toMatchObject({ rule: "prefix" });
    expect(r.ambiguous[0]?.candidates.map((c) => c.name)).toEqual(["web-01", "web-010"]);
  });

  it("duplicate names are ambiguous, with every candidate in a stable order", async () => {
    const { lookup } = recording([...FLEET].reverse());
    const r = await resolveTargets([name("dup-01")], lookup);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failed).toEqual([]);
    expect(r.ambiguous[0]).toMatchObject({ kind: "ambiguous", rule: "name", target: name("dup-01") });
    expect(r.ambiguous[0]?.candidates.map((c) => c.id)).toEqual([id(5), id(6)]);
  });

  it("IP: exact address match; a partial address is not a match", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([ip("10.0.0.1")], lookup);
    expect(r).toMatchObject({ ok: true, servers: [{ name: "web-01" }] });
    expect(r.outcomes[0]).toMatchObject({ rule: "ip" });
    const partial = await resolveTargets([ip("10.0.0")], lookup);
    expect(partial.ok).toBe(false);
  });

  it("IP: two servers with the same address are ambiguous", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([ip("172.16.0.1")], lookup);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.ambiguous[0]).toMatchObject({ rule: "ip" });
  });

  it("IPv6 addresses compare in canonical form", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([ip("2001:db8::1", 6)], lookup);
    expect(r).toMatchObject({ ok: true, servers: [{ name: "v6-host" }] });
  });

  it("exact name comes before IP for an IP-shaped target", async () => {
    const { lookup } = recording([...FLEET, server(12, "by-ip", "10.9.9.9")]);
    const r = await resolveTargets([ip("10.9.9.9")], lookup);
    expect(r).toMatchObject({ ok: true, servers: [{ id: id(8) }] });
    expect(r.outcomes[0]).toMatchObject({ rule: "name" });
  });

  it("tag selects every server with the tag", async () => {
    const { lookup, calls } = recording();
    const r = await resolveTargets([tag("env", "prod")], lookup);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.servers.map((s) => s.name)).toEqual(["db-01", "web-01", "web-02"]);
    expect(calls).toEqual(["tag:env=prod"]);
  });

  it("a tag matching nothing is an error, never all servers", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([tag("env", "prd")], lookup);
    expect(r).toMatchObject({ ok: false, failed: [{ kind: "no_match", target: tag("env", "prd") }] });
  });

  it("an empty tag selector is refused without any lookup", async () => {
    const { lookup, calls } = recording();
    for (const t of [tag("", "prod"), tag("env", ""), tag(" ", " ")]) {
      const r = await resolveTargets([t], lookup);
      expect(r).toMatchObject({ ok: false, failed: [{ kind: "invalid", reason: "empty_tag_selector" }] });
    }
    expect(calls).toEqual([]);
  });

  it("not found: the closest names by edit distance", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([name("wbe-01")], lookup);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failed).toEqual([
      { kind: "not_found", target: name("wbe-01"), suggestions: ["web-01", "web-02", "web-010", "db-01"] },
    ]);
    const three = await resolveTargets([name("wbe-01")], lookup, { suggestions: 1 });
    expect(three.ok ? [] : three.failed[0]).toMatchObject({ suggestions: ["web-01"] });
    const far = await resolveTargets([name("zzzzzz")], lookup);
    expect(far.ok ? [] : far.failed[0]).toMatchObject({ kind: "not_found", suggestions: [] });
  });

  it("several targets: servers deduplicated in command order; tag + names combine", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([name("db-01"), tag("role", "web"), name("web-01")], lookup);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.servers.map((s) => s.name)).toEqual(["db-01", "web-01", "web-02"]);
  });

  it("reports every problem at once: ambiguous and failed targets", async () => {
    const { lookup } = recording();
    const r = await resolveTargets([name("dup-01"), name("nope-99"), name("web-02")], lookup);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.ambiguous.map((a) => a.target)).toEqual([name("dup-01")]);
    expect(r.failed.map((f) => f.target)).toEqual([name("nope-99")]);
    expect(r.outcomes.map((o) => o.kind)).toEqual(["ambiguous", "not_found", "resolved"]);
  });

  it("many references are resolved against one fleet listing instead of one query each", async () => {
    const fleet = Array.from({ length: 50 }, (_, i) => server(100 + i, `node-${i}`, `10.1.0.${i}`));
    const { lookup, calls } = recording(fleet);
    const r = await resolveTargets(
      fleet.map((s) => name(s.name)),
      lookup,
      { bulkThreshold: 20 },
    );
    expect(r.ok).toBe(true);
    expect(calls).toEqual(["all"]);
  });

  it("suggestions never list the fleet: the name query, then the known names if any", async () => {
    const { lookup, calls } = recording();
    const withoutIndex: TargetLookup<S> = { ...lookup, knownNames: () => undefined };
    const typo = await resolveTargets([name("wbe-01")], withoutIndex);
    // The name query finds nothing containing "wbe-01": no names to offer, and no listing either.
    expect(typo.ok ? [] : typo.failed[0]).toMatchObject({ kind: "not_found", suggestions: [] });
    const prefix = await resolveTargets([name("web-0")], withoutIndex);
    expect(prefix.ok ? [] : prefix.failed[0]).toMatchObject({ suggestions: ["web-01", "web-02", "web-010"] });
    expect(calls).not.toContain("all");
  });

  it("lookup failures propagate (the caller explains them)", async () => {
    const { lookup } = recording();
    const failing: TargetLookup<S> = { ...lookup, byName: async () => Promise.reject(new Error("boom")) };
    await expect(resolveTargets([name("web-01")], failing)).rejects.toThrow("boom");
  });

  it("a lookup returning a superset cannot widen the answer", async () => {
    const { lookup } = recording();
    const sloppy: TargetLookup<S> = { ...lookup, byTag: async () => FLEET, byIp: async () => FLEET };
    const r = await resolveTargets([tag("role", "db"), ip("10.0.0.2")], sloppy);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.servers.map((s) => s.name)).toEqual(["db-01", "web-02"]);
  });
});

describe("a name that looks like the start of a server ID (cards print IDs shortened)", () => {
  const HEX: S[] = [
    { id: "d704b694-9efd-4a74-920f-e8cf2caf37eb", name: "web-01", addresses: [], tags: [] },
    { id: "d704b694-1111-4a74-920f-e8cf2caf37eb", name: "web-02", addresses: [], tags: [] },
    { id: "a160f99e-6e84-4657-8383-8cc454d96c36", name: "web-03", addresses: [], tags: [] },
    { id: "12345678-6e84-4657-8383-8cc454d96c36", name: "batch-01", addresses: [], tags: [] },
  ];
  function withIds() {
    const { lookup, calls } = recording(HEX);
    const base = createListLookup(HEX);
    return {
      lookup: { ...lookup, knownIdsStartingWith: (p: string) => base.knownIdsStartingWith?.(p) },
      calls,
    };
  }

  it.each([
    ["a160f99e", ["web-03"]],
    ["A160F99E-6E84", ["web-03"]],
    ["a160f99e6e84", ["web-03"]],
    ["d704b694", ["web-01", "web-02"]],
    ["d704b694-9efd", ["web-01"]],
    ["12345678", ["batch-01"]],
  ])(
    "%s: not found, never resolved (even for a read), the servers whose ID starts so suggested",
    async (text, names) => {
      const { lookup, calls } = withIds();
      for (const names_ of ["exact", "prefix"] as const) {
        const r = await resolveTargets([name(text)], lookup, { names: names_ });
        expect(r.ok).toBe(false);
        if (r.ok) return;
        const miss = r.failed[0]!;
        expect(miss).toMatchObject({ kind: "not_found", suggestions: names });
        if (miss.kind !== "not_found") return;
        expect(miss.idStart?.map((s) => s.name)).toEqual(names);
      }
      expect(calls.every((c) => c.startsWith("name:"))).toBe(true);
    },
  );

  it("more servers than are offered: the rest counted, never dropped unsaid", async () => {
    const many: S[] = Array.from({ length: 7 }, (_, i) => ({
      id: `abcdef01-0000-4000-8000-00000000000${String(i)}`,
      name: `many-${String(i)}`,
      addresses: [],
      tags: [],
    }));
    const r = await resolveTargets([name("abcdef01")], createListLookup(many), { suggestions: 5 });
    expect(r.ok ? undefined : r.failed[0]).toMatchObject({ kind: "not_found", idStartMore: 2 });
    if (r.ok || r.failed[0]?.kind !== "not_found") return;
    expect(r.failed[0].idStart).toHaveLength(5);
  });

  it("hex that starts no ID: said to look like one, nothing offered; digits only: a plain name miss", async () => {
    const { lookup } = withIds();
    const hex = await resolveTargets([name("deadbeef")], lookup);
    expect(hex.ok ? undefined : hex.failed[0]).toEqual({
      kind: "not_found",
      target: name("deadbeef"),
      suggestions: [],
      idStart: [],
    });
    const digits = await resolveTargets([name("20240101")], lookup);
    expect(digits.ok ? undefined : digits.failed[0]).toEqual({
      kind: "not_found",
      target: name("20240101"),
      suggestions: [],
    });
  });

  it("not hex, too short, or a server really named so: the usual rules", async () => {
    const named: S[] = [...HEX, { id: id(99), name: "a160f99e", addresses: [], tags: [] }];
    const base = createListLookup(named);
    const lookup = { ...base, knownIdsStartingWith: (p: string) => base.knownIdsStartingWith?.(p) };
    const exact = await resolveTargets([name("a160f99e")], lookup);
    expect(exact.ok && exact.servers.map((s) => s.id)).toEqual([id(99)]);
    for (const text of ["a160f99", "web-0x", "a160f99e-6e84-4657-8383-8cc454d96c3g", "a160f99e--6e84"]) {
      const r = await resolveTargets([name(text)], lookup);
      const miss = r.ok ? undefined : r.failed[0];
      expect(miss && "idStart" in miss ? miss.idStart : undefined).toBeUndefined();
    }
  });

  it("without an index of IDs, a hex name is still said to look like an ID, with no servers", async () => {
    const { lookup } = recording(HEX);
    const r = await resolveTargets([name("a160f99e")], lookup);
    expect(r.ok ? undefined : r.failed[0]).toMatchObject({ kind: "not_found", idStart: [] });
  });
});
