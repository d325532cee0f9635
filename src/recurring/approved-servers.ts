import { z } from "zod";
import { type Target, targetKey } from "../intents/index.js";
import type { ResolvableServer, TargetOutcome } from "../targets/index.js";

/**
 * The server one server reference of a schedule's command (an exact name, an ID or an IP address) named when
 * the schedule was asked for: the one its approvers saw on the card. Each run acts on this server by ID, under
 * whatever name it has by then; selectors (`tag:`) are not pinned and find their servers again at each run.
 */
export const ApprovedServerSchema = z.strictObject({
  /** The reference as `targetKey` writes it (`name:web-03`, `id:…`, `ip:…`). */
  target: z.string().min(1),
  id: z.string().min(1),
  /** Its name then; absent when not known (a schedule stored before the IDs were kept, its request expired). */
  name: z.string().optional(),
});
export type ApprovedServer = z.infer<typeof ApprovedServerSchema>;

interface Named {
  readonly id: string;
  readonly name: string;
}

/** The command's server references (everything but selectors), in command order. */
export function referencesOf(targets: readonly Target[]): Target[] {
  return targets.filter((t) => t.kind !== "tag");
}

/** The servers the references resolved to when the schedule was asked for (exact names: one server each). */
export function approvedServersOf<S extends ResolvableServer>(
  outcomes: readonly TargetOutcome<S>[],
): ApprovedServer[] {
  const out: ApprovedServer[] = [];
  for (const o of outcomes) {
    if (o.kind !== "resolved" || o.target.kind === "tag") continue;
    const server = o.servers[0];
    if (server !== undefined) out.push({ target: targetKey(o.target), id: server.id, name: server.name });
  }
  return out;
}

/**
 * For a schedule stored before the approved servers were kept: the servers of its creation request (the card
 * its approvers saw; `undefined` when that request is no longer kept). An ID is its own server whatever
 * happens; a name is the request's server of that exact name; an IP address, the server it selects now if that
 * one is among the request's. A reference left out cannot be traced to an approved server and is skipped.
 */
export function approvedServersFromRequest<S extends Named>(
  references: readonly Target[],
  requestTargets: readonly Named[] | undefined,
  namedNow: (target: Target) => readonly S[],
): ApprovedServer[] {
  const out: ApprovedServer[] = [];
  for (const t of references) {
    const key = targetKey(t);
    let found: Named | undefined;
    if (t.kind === "id") {
      const seen = requestTargets?.find((r) => r.id === t.id);
      out.push({ target: key, id: t.id, ...(seen !== undefined && { name: seen.name }) });
      continue;
    }
    if (requestTargets === undefined) continue;
    if (t.kind === "name") {
      const same = requestTargets.filter((r) => r.name === t.name);
      found = same.length === 1 ? same[0] : undefined;
    } else {
      const approvedIds = new Set(requestTargets.map((r) => r.id));
      const now = namedNow(t).filter((s) => approvedIds.has(s.id));
      const id = now.length === 1 ? now[0]?.id : undefined;
      found = requestTargets.find((r) => r.id === id);
    }
    if (found !== undefined) out.push({ target: key, id: found.id, name: found.name });
  }
  return out;
}

/**
 * What became of one server reference at a run, compared with the server approved for it:
 * - `same`: the approved server, as approved (the run acts on it);
 * - `moved`: the approved server still exists (the run acts on it, by ID) but was renamed, or the reference
 *   now (also) names `others`, which the run leaves alone;
 * - `gone`: the approved server no longer exists: skipped (`others`: what the reference names now instead);
 * - `unknown`: no approved server is known for it (a schedule stored before the IDs were kept whose request
 *   has expired): skipped, since nothing says which server its approvers saw.
 */
export type ServerCheck<S extends Named> =
  | { kind: "same"; target: Target; server: S }
  | { kind: "moved"; target: Target; approved: ApprovedServer; server: S; others: S[] }
  | { kind: "gone"; target: Target; approved: ApprovedServer; others: S[] }
  | { kind: "unknown"; target: Target; others: S[] };

/**
 * Compares each reference with its approved server. `approvedNow`: the approved servers that still exist, by
 * ID (read by ID, so a renamed one is found); `namedNow`: what each reference resolves to now (by name, ID or
 * address; several for a duplicated name). Pure.
 */
export function checkApprovedServers<S extends Named>(
  references: readonly Target[],
  approved: readonly ApprovedServer[],
  approvedNow: ReadonlyMap<string, S>,
  namedNow: (target: Target) => readonly S[],
): ServerCheck<S>[] {
  const byTarget = new Map(approved.map((a) => [a.target, a]));
  return references.map((target): ServerCheck<S> => {
    const pinned = byTarget.get(targetKey(target));
    if (pinned === undefined) return { kind: "unknown", target, others: [...namedNow(target)] };
    const others = namedNow(target).filter((s) => s.id !== pinned.id);
    const server = approvedNow.get(pinned.id);
    if (server === undefined) return { kind: "gone", target, approved: pinned, others };
    const renamed = pinned.name !== undefined && server.name !== pinned.name;
    if (!renamed && others.length === 0) return { kind: "same", target, server };
    return { kind: "moved", target, approved: pinned, server, others };
  });
}
