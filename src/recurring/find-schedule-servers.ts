import type { Server } from "../cloud/types.js";
import { formatTarget, type Target, targetKey } from "../intents/index.js";
import type { Span } from "../render/message-model.js";
import { abortUpdate, NO_CHANGE, writeUpdate } from "../store/store.js";
import { resolveTargets, type TargetLookup } from "../targets/index.js";
import { describeScheduledServer, type ScheduledServerNote } from "../views/build-scheduled-run-views.js";
import {
  type ApprovedServer,
  approvedServersFromRequest,
  checkApprovedServers,
  referencesOf,
  type ServerCheck,
} from "./approved-servers.js";
import type { ScheduleDeps } from "./schedule-deps.js";
import { type Schedule, scheduleKey } from "./schedule-record.js";

/** What to say about a server reference that is not as approved (nothing when it is). */
function noteOf(c: ServerCheck<Server>): ScheduledServerNote | undefined {
  if (c.kind === "same") return undefined;
  const base = {
    target: c.target.kind === "name" ? c.target.name : formatTarget(c.target),
    isName: c.target.kind === "name",
    others: c.others.map((o) => ({ id: o.id, name: o.name })),
  };
  if (c.kind === "unknown") return { ...base, kind: "unknown" };
  const approved = { id: c.approved.id, ...(c.approved.name !== undefined && { name: c.approved.name }) };
  if (c.kind === "gone") return { ...base, kind: "gone", approved };
  const renamed = c.approved.name !== undefined && c.server.name !== c.approved.name;
  return { ...base, kind: "moved", approved, ...(renamed && { nowNamed: c.server.name }) };
}

/** Keeps the approved servers traced from the creation request, so later runs need not that request. */
async function keepApprovedServers(
  deps: Pick<ScheduleDeps, "store">,
  id: string,
  approved: ApprovedServer[],
): Promise<void> {
  await deps.store.update<Schedule, "gone">(
    scheduleKey(id),
    (current) => {
      if (current === undefined) return abortUpdate("gone");
      if (current.value.approvedServers !== undefined) return NO_CHANGE;
      return writeUpdate({ ...current.value, approvedServers: approved }, {});
    },
    { retries: 20 },
  );
}

/**
 * The servers of a run, in command order: selectors (`tag:`) find theirs again; each server reference (exact
 * name, ID, IP) stands for the server approved for it (`approvedServers`), read by ID: renamed, it is still
 * the one acted on; deleted, or never traced (a schedule stored before they were kept, its request expired),
 * it is skipped, and a server that took its name or address is never acted on. `notes`: what to say about
 * the references that are not as approved. Not ok: a selector selects nothing (the run is skipped).
 */
export async function findScheduleServers(
  deps: Pick<ScheduleDeps, "approvals" | "cloud" | "store">,
  lookup: TargetLookup<Server>,
  s: Schedule,
  targets: readonly Target[],
): Promise<{ ok: true; servers: Server[]; notes: Span[][] } | { ok: false; reasons: (string | Span[])[] }> {
  const references = referencesOf(targets);
  const selectors = targets.filter((t) => t.kind === "tag");
  const selected = await resolveTargets(selectors, lookup, { names: "exact" });
  // What each reference names now: only to say what the run leaves alone, never what it acts on.
  const named =
    references.length > 0 ? (await resolveTargets(references, lookup, { names: "exact" })).outcomes : [];
  const namedNow = (t: Target): Server[] => {
    const o = named.find((x) => targetKey(x.target) === targetKey(t));
    return o?.kind === "resolved" ? o.servers : o?.kind === "ambiguous" ? o.candidates : [];
  };
  let approved = s.approvedServers ?? [];
  if (s.approvedServers === undefined && references.length > 0) {
    const request = await deps.approvals.get(s.requestId);
    approved = approvedServersFromRequest(references, request?.targets, namedNow);
    if (request !== undefined) await keepApprovedServers(deps, s.id, approved);
  }
  const ids = [...new Set(approved.map((a) => a.id))];
  const now = ids.length > 0 ? await deps.cloud.ecs.listServersByIds(ids) : [];
  const approvedNow = new Map(now.filter((x) => ids.includes(x.id)).map((x) => [x.id, x]));
  const checks = checkApprovedServers(references, approved, approvedNow, namedNow);
  const notes = checks.flatMap((c) => {
    const note = noteOf(c);
    return note !== undefined ? [describeScheduledServer(note)] : [];
  });
  if (!selected.ok) {
    return {
      ok: false,
      reasons: [
        ...selected.failed.map((f) =>
          f.kind === "no_match"
            ? `${formatTarget(f.target)} selects no server now.`
            : `${formatTarget(f.target)} was not found.`,
        ),
        ...notes,
      ],
    };
  }
  const servers: Server[] = [];
  const seen = new Set<string>();
  const add = (x: Server) => {
    if (seen.has(x.id)) return;
    seen.add(x.id);
    servers.push(x);
  };
  let reference = 0;
  let selector = 0;
  for (const t of targets) {
    if (t.kind === "tag") {
      const o = selected.outcomes[selector++];
      if (o?.kind === "resolved") o.servers.forEach(add);
      continue;
    }
    const c = checks[reference++];
    if (c?.kind === "same" || c?.kind === "moved") add(c.server);
  }
  return { ok: true, servers, notes };
}
