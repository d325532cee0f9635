import type { AuditRecord } from "../../audit/audit-entry.js";
import type { CloudClient, Server } from "../../cloud/types.js";
import type { ResultControls, ServerAction } from "../../views/action-ids.js";
import { pageOf } from "../../views/build-paged-list.js";
import type { ListingCache } from "./create-listing-cache.js";

/** How a read query is rendered. */
export interface ReadOptions {
  /** 1-based page (clamped to the result). */
  page: number;
  /** The requester's copy: paging and sharing buttons. */
  controls?: ResultControls;
  /** A copy shared in the channel by this user: no buttons. */
  sharedBy?: string;
  /** The resolved server, when the caller already has it (saves a lookup). */
  server?: Server;
  /** `/ecs show`: the power actions its viewer may request, behind a pending token. */
  offer?: { token: string; actions: readonly ServerAction[] };
  /** `/ecs list`, `/hss hosts`: the listing made for the command, to page through without listing again. */
  snapshot?: ListSnapshot;
  /**
   * `/ecs list`, `/hss hosts`: told the listing it made, for later page clicks; only a listing of more than
   * one page (a single page needs no clicks to serve).
   */
  keepSnapshot?: (snapshot: ListSnapshot) => void;
}

/**
 * The result of an `/ecs list` or `/hss hosts` as listed for the command: the matching servers' (hosts') IDs
 * in display order and the counts its header shows. A page click reads only its page's servers by ID (one
 * ECS request; up to 20 HSS queries), not the fleet.
 */
export interface ListSnapshot {
  /** The shared listing it came from (see create-listing-cache.ts): commands sharing it save it once. */
  id?: string;
  ids: string[];
  /** ECS: servers by status; HSS: the host counts of `countHosts` by name. */
  statusCounts: Record<string, number>;
}

/**
 * A page of a snapshot: its items read again by ID (`read`), in the listing's order; one that no longer
 * exists is left out and counted in `gone`. `total` is the listing's.
 */
export async function readSnapshotItems<T>(
  snapshot: ListSnapshot,
  page: number,
  read: (ids: string[]) => Promise<ReadonlyMap<string, T>>,
): Promise<{ items: T[]; total: number; gone: number; page: number }> {
  const window = pageOf(snapshot.ids, page);
  const byId = await read(window.items);
  const items = window.items.flatMap((id) => byId.get(id) ?? []);
  return { items, total: snapshot.ids.length, gone: window.items.length - items.length, page: window.page };
}

/** The read commands whose page clicks serve from a {@link ListSnapshot}. */
export const SNAPSHOT_READS: ReadonlySet<string> = new Set(["ecs.list", "hss.hosts"]);

export interface ReadDeps {
  cloud: CloudClient;
  /** The bot's audit entries about a server, newest first (for `/ecs actions`); absent: none shown. */
  auditTrail?: AuditTrail;
  /** `/ecs list`, `/hss hosts`: listings shared by commands with the same filters; absent: every command lists. */
  listings?: ListingCache;
}

/** The bot's audit entries about one server, newest first. */
export type AuditTrail = (serverId: string) => Promise<readonly AuditRecord[]>;

export function viewOptions(options: ReadOptions): { controls?: ResultControls; sharedBy?: string } {
  return {
    ...(options.controls !== undefined ? { controls: options.controls } : {}),
    ...(options.sharedBy !== undefined ? { sharedBy: options.sharedBy } : {}),
  };
}

/** The server a resolved reference names: the one at hand, else fetched by ID. */
export async function serverFor(
  ref: { kind: string; id?: string },
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Server> {
  if (ref.kind !== "id" || ref.id === undefined) {
    throw new Error(`server reference must be resolved to an ID before reading, got ${ref.kind}`);
  }
  if (options.server !== undefined && options.server.id === ref.id) return options.server;
  return deps.cloud.ecs.getServer(ref.id);
}

export function byNameThenId(a: { name: string; id: string }, b: { name: string; id: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
