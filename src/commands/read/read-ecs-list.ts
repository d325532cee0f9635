import { CloudError } from "../../cloud/errors.js";
import type { Server } from "../../cloud/types.js";
import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import { mapWithConcurrency } from "../../targets/map-with-concurrency.js";
import { DEFAULT_PAGE_SIZE, pageOf, pageWindow } from "../../views/build-paged-list.js";
import { buildServerListView } from "../../views/build-server-list-view.js";
import { createListingCache } from "./create-listing-cache.js";
import {
  byNameThenId,
  type ListSnapshot,
  type ReadDeps,
  type ReadOptions,
  readSnapshotItems,
  viewOptions,
} from "./read-options.js";

/**
 * `/ecs list`: every matching server (ECS filters, tags ANDed), sorted by name, one page shown. With tags
 * only, the cloud's tag index selects and pages them (see {@link readByTags}). Commands with the same
 * filters within moments of each other share one listing (`deps.listings`).
 */
export async function readEcsList(
  intent: IntentOf<"ecs.list">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const f = intent.filters;
  const tagsOnly =
    f.tags.length > 0 &&
    f.name === undefined &&
    f.status === undefined &&
    f.flavor === undefined &&
    f.ip === undefined;
  if (tagsOnly) return readByTags(intent, options, deps);
  if (options.snapshot !== undefined) return readSnapshotPage(intent, options.snapshot, options, deps);
  const tags = f.tags.map((t) => `${t.key}=${t.value}`);
  const list = async () => {
    const listed = await deps.cloud.ecs.listServers({
      ...(f.name !== undefined ? { name: f.name } : {}),
      ...(f.status !== undefined ? { status: f.status } : {}),
      ...(f.flavor !== undefined ? { flavor: f.flavor } : {}),
      ...(f.ip !== undefined ? { ip: f.ip } : {}),
      ...(tags.length > 0 ? { tags: tags.join(",") } : {}),
      pageSize: 1000,
    });
    // The service filters; checking tags again keeps "every tag must match" true whatever it does.
    return listed.filter((s) => tags.every((t) => s.tags.includes(t))).sort(byNameThenId);
  };
  // Without a shared cache every command lists for itself (a cache that keeps nothing).
  const listings = deps.listings ?? createListingCache({ reuseMs: 0 });
  const key = JSON.stringify([f.name, f.status, f.flavor, f.ip, [...tags].sort()]);
  // The whole fleet's listing, or one status's, is kept current by its changes: a server that leaves it
  // shows in the count. Other filters could differ between the two APIs that tell the changes and the count.
  const byStatusOnly =
    f.name === undefined && f.flavor === undefined && f.ip === undefined && tags.length === 0;
  const status = f.status;
  const changes = byStatusOnly
    ? (since: string) => deps.cloud.ecs.listServerChanges(since, status === undefined ? {} : { status })
    : undefined;
  const use = await listings.get(key, list, changes);
  const { listing } = use;
  const snapshot: ListSnapshot = { id: listing.id, ids: listing.ids, statusCounts: listing.statusCounts };
  if (snapshot.ids.length > DEFAULT_PAGE_SIZE) options.keepSnapshot?.(snapshot);
  // Another command's listing: its rows may be seconds old, so this page is read again by ID.
  if (!use.made) return readSnapshotPage(intent, snapshot, options, deps);
  const page = pageOf(use.servers, options.page);
  return buildServerListView({
    servers: page.items,
    total: use.servers.length,
    page: page.page,
    filters: f,
    statusCounts: listing.statusCounts,
    ...viewOptions(options),
  });
}

/**
 * A page of a listing made moments ago: its servers read by ID in one request, shown in the listing's order
 * (a server deleted since is left out). Totals and counts are the listing's.
 */
async function readSnapshotPage(
  intent: IntentOf<"ecs.list">,
  snapshot: ListSnapshot,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const { items, ...page } = await readSnapshotItems(
    snapshot,
    options.page,
    async (ids) => new Map((await deps.cloud.ecs.listServersByIds(ids)).map((s) => [s.id, s])),
  );
  return buildServerListView({
    servers: items,
    ...page,
    filters: intent.filters,
    statusCounts: snapshot.statusCounts,
    ...viewOptions(options),
  });
}

/**
 * `/ecs list tag:k=v …` on the cloud's tag index (5.9.2, `resource_instances/action`): the cloud counts the
 * matching servers and returns the requested page only; the page's servers are then read one by one for
 * their status, flavor and addresses. A page costs one query and at most 20 reads, however many servers
 * carry the tag. Pages follow the cloud's order (newest first), so there are no per-status counts.
 */
async function readByTags(
  intent: IntentOf<"ecs.list">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const f = intent.filters;
  const byKey = new Map<string, Set<string>>();
  for (const t of f.tags) byKey.set(t.key, (byKey.get(t.key) ?? new Set()).add(t.value));
  // One key with two values cannot both hold (every tag must match): nothing to ask the cloud.
  const impossible = [...byKey.values()].some((values) => values.size > 1);
  const query = { tags: [...byKey].map(([key, values]) => ({ key, values: [...values] })) };
  const first = impossible
    ? { totalCount: 0, servers: [] }
    : await deps.cloud.ecs.findServersByTag(query, {
        offset: pageWindow(Number.MAX_SAFE_INTEGER, options.page).offset,
        limit: DEFAULT_PAGE_SIZE,
      });
  let found = first;
  const window = pageWindow(first.totalCount, options.page);
  // Asked for a page past the end (the set shrank): show the last page instead.
  if (!impossible && first.servers.length === 0 && first.totalCount > 0) {
    found = await deps.cloud.ecs.findServersByTag(query, { offset: window.offset, limit: DEFAULT_PAGE_SIZE });
  }
  const read = await mapWithConcurrency(found.servers, 4, async (s): Promise<Server | undefined> => {
    try {
      return await deps.cloud.ecs.getServer(s.id);
    } catch (error) {
      // Deleted between the query and the read: left out of the page.
      if (error instanceof CloudError && error.isNotFound) return undefined;
      throw error;
    }
  });
  const servers = read.filter((s): s is Server => s !== undefined);
  return buildServerListView({
    servers,
    total: found.totalCount,
    page: window.page,
    filters: f,
    ...viewOptions(options),
  });
}
