import { HSS_MAX_PAGE_SIZE } from "../../cloud/create-hss-api.js";
import { CloudError } from "../../cloud/errors.js";
import { readHssHostsById } from "../../cloud/read-hss-hosts-by-id.js";
import type { HssHost, HssHostFilter } from "../../cloud/types.js";
import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import {
  buildHssHostListView,
  countHosts,
  type HssHostCounts,
  hasRisk,
} from "../../views/build-hss-host-list-view.js";
import { DEFAULT_PAGE_SIZE, pageOf } from "../../views/build-paged-list.js";
import { createListingCache } from "./create-listing-cache.js";
import {
  type ListSnapshot,
  type ReadDeps,
  type ReadOptions,
  readSnapshotItems,
  viewOptions,
} from "./read-options.js";

const GROUP_ID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * `/hss hosts`: hosts with agent/protection/risk, the service filtering what it can, sorted by name with
 * counts over the whole result. HSS pages 200 hosts at most and cannot sort by name, so a listing is every
 * matching host (50 requests for 10,000). Commands with the same filters share one listing (`deps.listings`,
 * as `/ecs list` does): concurrent ones wait for the same requests, and a finished listing serves the next
 * ones for 5 s (30 s once it has served a burst of 50). A command that did not list reads its page's hosts
 * by ID, as a page click does (see {@link readSnapshotPage}): its rows are as fresh as a page click's, and
 * only its totals and counts (and which hosts are listed) are up to that window old. A listing HSS gave in
 * one request (at most 200 hosts, none left out by `risk`) is not read by ID but listed again: one request,
 * where the page would be up to 20.
 */
export async function readHssHosts(
  intent: IntentOf<"hss.hosts">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  if (options.snapshot !== undefined) return readSnapshotPage(intent, options.snapshot, options, deps);
  const f = intent.filters;
  const filter: HssHostFilter = {};
  if (f.agent !== undefined) filter.agentStatus = f.agent;
  if (f.protect !== undefined) filter.protectStatus = f.protect;
  if (f.os !== undefined) filter.osType = f.os;
  if (f.version !== undefined) filter.version = f.version;
  if (f.group !== undefined) {
    if (GROUP_ID_RE.test(f.group)) filter.groupId = f.group;
    else filter.groupName = f.group;
  }
  const list = async (): Promise<readonly HssHost[]> => {
    const listing = await deps.cloud.hss.listHosts(filter);
    // The client has no `has_risk` filter: risk is decided here from the detection result and counts.
    return listing.items
      .filter((h) => !f.risk || hasRisk(h))
      .sort((a, b) =>
        a.hostName < b.hostName ? -1 : a.hostName > b.hostName ? 1 : a.hostId < b.hostId ? -1 : 1,
      );
  };
  // Without a shared cache every command lists for itself (a cache that keeps nothing).
  const listings = deps.listings ?? createListingCache({ reuseMs: 0 });
  const key = `hss.hosts ${JSON.stringify([filter.agentStatus, filter.protectStatus, filter.osType, filter.version, filter.groupId, filter.groupName, f.risk])}`;
  const summarize = (hosts: readonly HssHost[]): ListSnapshot => ({
    ids: hosts.map((h) => h.hostId),
    statusCounts: { ...countHosts(hosts) },
  });
  const use = await listings.share(key, list, summarize);
  // Another command's listing of one HSS request: listing again costs one, its page by ID up to 20.
  const relist = !use.made && !f.risk && use.listing.ids.length <= HSS_MAX_PAGE_SIZE;
  const hosts = use.made ? use.items : relist ? await list() : undefined;
  const snapshot = relist && hosts !== undefined ? summarize(hosts) : use.listing;
  if (snapshot.ids.length > DEFAULT_PAGE_SIZE) options.keepSnapshot?.(snapshot);
  // Another command's listing: its rows may be seconds old, so this page is read again by ID.
  if (hosts === undefined) return readSnapshotPage(intent, snapshot, options, deps);
  const page = pageOf(hosts, options.page);
  return buildHssHostListView({
    hosts: page.items,
    total: hosts.length,
    page: page.page,
    filters: f,
    counts: countsOf(snapshot.statusCounts),
    ...viewOptions(options),
  });
}

/**
 * A page of the listing made for the command: its hosts read again by ID (at most 20 queries, four at a
 * time, instead of listing every host), shown in the listing's order; a host HSS no longer knows is left out.
 * Totals and counts are the listing's.
 */
async function readSnapshotPage(
  intent: IntentOf<"hss.hosts">,
  snapshot: ListSnapshot,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const { items, ...page } = await readSnapshotItems(snapshot, options.page, async (ids) => {
    const read = await readHssHostsById(deps.cloud.hss, ids);
    if (read instanceof CloudError) throw read;
    return read;
  });
  return buildHssHostListView({
    hosts: items,
    ...page,
    filters: intent.filters,
    counts: countsOf(snapshot.statusCounts),
    ...viewOptions(options),
  });
}

/**
 * The counts a snapshot kept (see `countHosts`), a missing one as 0: the keys are `countHosts`'s own, so a
 * count added there is carried through page clicks without a change here (a snapshot kept before it existed
 * reads 0 for it).
 */
function countsOf(kept: Record<string, number>): HssHostCounts {
  const counts = countHosts([]);
  for (const key of Object.keys(counts) as (keyof HssHostCounts)[]) counts[key] = kept[key] ?? 0;
  return counts;
}
