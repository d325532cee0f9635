/**
 * The executor on the operator's-day flows, against the simulated cloud on a manual clock: calls answered
 * without a job (tags, lock) confirmed from the servers on what they change only, lost answers never resent
 * and reconciled, per-server calls, and the stop before a reinstall or a migration of a running server.
 */
import { describe, expect, it } from "vitest";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { type RunRecord, runKey } from "../../src/workflow/run-record.js";
import type { FlowTarget } from "../../src/workflow/types.js";
import { createSpecFactory, useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const spec = createSpecFactory("day");
const mutationTypes = () => env.mutations().map((r) => r.mutation?.type ?? `${r.method} ${r.path}`);

/** Targets with their tags and lock bound, as a request made now would bind them. */
function bound(...names: string[]): FlowTarget[] {
  return names.map((name) => {
    const s = env.sim.control.server(name)!;
    return { id: s.id, name, status: s.status, flavor: s.flavorId, tags: { ...s.tags }, locked: s.locked };
  });
}

describe("tags", () => {
  it("adds tags with one call per server and confirms them from the servers", async () => {
    const { deps, store } = env.fresh();
    const s = spec("tag", bound("web-03", "web-04"), { addTags: [{ key: "owner", value: "alice" }] });
    const result = await executeFlow(s, deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(result.outcome.counts.succeeded).toBe(2);
    expect(mutationTypes()).toEqual(["batchCreateServerTags", "batchCreateServerTags"]);
    const record = (await store.get<RunRecord>(runKey(s.runId)))!.value;
    const wait = record.steps.find((x) => x.id === "wait_tagged")!;
    expect(wait.results.map((r) => r.source)).toEqual(["servers", "servers"]);
    expect(record.steps.find((x) => x.id === "add_tags")!.mutations.map((m) => m.jobId)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("judges a tag change on the tags it changes: another tag changing meanwhile does not fail it", async () => {
    const { deps } = env.fresh();
    const id = env.id("web-03");
    const s = spec("untag", bound("web-03"), { removeTags: [{ key: "team" }] });
    // The recheck passes (nothing changed yet); then, just before the call, another tag is added elsewhere.
    let first = true;
    const result = await executeFlow(s, {
      ...deps,
      onBeforeMutation: () => {
        if (!first) return;
        first = false;
        env.sim.control.setServer(id, {
          tags: { env: "staging", team: "platform", role: "web", extra: "1" },
        });
      },
    });
    if (!result.ok) throw new Error(result.message);
    // The read-back looks at `team` only: the removal is confirmed, and the other tag is left alone.
    expect(result.outcome.status).toBe("succeeded");
    expect(env.sim.control.server("web-03")!.tags).toEqual({ env: "staging", role: "web", extra: "1" });
  });

  it("aborts before any call when a tag it adds is already there (the approval was for the server without it)", async () => {
    const { deps } = env.fresh();
    const targets = bound("web-03");
    env.sim.control.setServer(env.id("web-03"), {
      tags: { env: "staging", team: "platform", role: "web", owner: "bob" },
    });
    const result = await executeFlow(
      spec("tag", targets, { addTags: [{ key: "owner", value: "alice" }] }),
      deps,
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("aborted");
    expect(result.outcome.drift).toEqual([
      expect.objectContaining({ kind: "tags", added: ["owner=bob"], removed: [] }),
    ]);
    expect(env.mutations()).toHaveLength(0);
  });

  it("never resends a tag call whose answer was lost; the servers show it took effect", async () => {
    const { deps, store } = env.fresh();
    env.sim.control.setFaults({ dropAfterCommit: { count: 1, match: /\/tags\/action$/ } });
    const s = spec("tag", bound("web-03"), { addTags: [{ key: "owner", value: "alice" }] });
    const result = await executeFlow(s, deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(env.mutations()).toHaveLength(1);
    const record = (await store.get<RunRecord>(runKey(s.runId)))!.value;
    expect(record.steps.find((x) => x.id === "add_tags")!.mutations[0]).toMatchObject({
      state: "outcome_unknown",
    });
  });

  it("reports a refused tag call as failed, with the cloud's code", async () => {
    const { deps } = env.fresh();
    // Eleven tags: the cloud refuses (Ecs.0905); the preflight would have refused it first.
    const tags = Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    const result = await executeFlow(spec("tag", bound("web-03"), { addTags: tags }), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("failed");
    expect(result.outcome.failuresByReason[0]?.code).toBe("Ecs.0905");
  });
});

describe("lock and unlock", () => {
  it("locks the unlocked, leaves out the locked, and confirms from the servers", async () => {
    const { deps } = env.fresh();
    env.sim.control.setServer(env.id("web-04"), { locked: true });
    const result = await executeFlow(spec("lock", bound("web-03", "web-04")), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(result.outcome.servers.map((s) => s.result)).toEqual(["succeeded", "skipped"]);
    expect(mutationTypes()).toEqual(["lockServer"]);
    expect(env.sim.control.server("web-03")!.locked).toBe(true);
  });

  it("aborts an unlock when the server was unlocked since the approval (lock drift)", async () => {
    const { deps } = env.fresh();
    env.sim.control.setServer(env.id("web-03"), { locked: true });
    const targets = bound("web-03");
    env.sim.control.setServer(env.id("web-03"), { locked: false });
    const result = await executeFlow(spec("unlock", targets), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("aborted");
    expect(result.outcome.drift).toEqual([
      expect.objectContaining({ kind: "lock", expected: true, actual: false }),
    ]);
    expect(env.mutations()).toHaveLength(0);
  });
});

describe("OS, disks and migration", () => {
  it("stops a running server before reinstalling it, then follows the reinstall job", async () => {
    const { deps } = env.fresh();
    const result = await executeFlow(spec("reinstall", bound("web-03"), { keyName: "KeyPair-deploy" }), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(mutationTypes()).toEqual(["batchStopServers", "reinstallOS"]);
    expect(env.sim.control.server("web-03")).toMatchObject({ status: "ACTIVE", keyName: "KeyPair-deploy" });
  });

  it("a reinstall whose answer was lost is settled from the server (stopped, then ACTIVE again), not resent", async () => {
    const { deps } = env.fresh();
    env.sim.control.setFaults({ dropAfterCommit: { count: 1, match: /\/reinstallos$/ } });
    const result = await executeFlow(spec("reinstall", bound("worker-01"), { keyName: "KeyPair-ops" }), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(mutationTypes()).toEqual(["reinstallOS"]);
  });

  it("attaches and detaches a disk, one call each, following their jobs", async () => {
    const volume = env.sim.control.volumes()[0]!.id;
    const attach = await executeFlow(spec("attach", bound("web-03"), { volumeId: volume }), env.fresh().deps);
    if (!attach.ok) throw new Error(attach.message);
    expect(attach.outcome.status).toBe("succeeded");
    expect(env.sim.control.server("web-03")!.disks.map((d) => d.id)).toContain(volume);
    const detach = await executeFlow(spec("detach", bound("web-03"), { volumeId: volume }), env.fresh().deps);
    if (!detach.ok) throw new Error(detach.message);
    expect(detach.outcome.status).toBe("succeeded");
    expect(mutationTypes()).toEqual(["attachVolume", "detachVolume"]);
    expect(env.sim.control.server("web-03")!.disks.map((d) => d.id)).not.toContain(volume);
  });

  it("migrates a running server: stopped, migrated, started again", async () => {
    const host = env.sim.control.dedicatedHosts()[0]!;
    const result = await executeFlow(
      spec("migrate", bound("web-03"), { dedicatedHostId: host }),
      env.fresh().deps,
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(mutationTypes()).toEqual(["batchStopServers", "migrateServer", "batchStartServers"]);
    expect(env.sim.control.server("web-03")).toMatchObject({ status: "ACTIVE", dedicatedHostId: host });
  });

  it("refuses to start a run without the parameters its calls need", async () => {
    const { deps } = env.fresh();
    expect(await executeFlow(spec("reinstall", bound("web-03")), deps)).toMatchObject({ ok: false });
    expect(await executeFlow(spec("detach", bound("web-03")), deps)).toMatchObject({ ok: false });
    expect(await executeFlow(spec("tag", bound("web-03"), { addTags: [] }), deps)).toMatchObject({
      ok: false,
    });
    expect(env.mutations()).toHaveLength(0);
  });
});
