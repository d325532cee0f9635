import { CloudError } from "../../cloud/errors.js";
import { readHssHostsById } from "../../cloud/read-hss-hosts-by-id.js";
import type { HssHostFilter } from "../../cloud/types.js";
import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import {
  buildHssHostListView,
  countHosts,
  type HssHostCounts,
  hasRisk,
} from "../../views/build-hss-host-list-view.js";
import { DEFAULT_PAGE_SIZE, pageOf } from "../../views/build-paged-list.js";
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
 * counts over the whole result. HSS pages 200 hosts at most and cannot sort by name, so the command lists
 * every matching host (50 requests for 10,000); its page clicks then read only their page's hosts by ID from
 * the listing kept for them (see {@link readSnapshotPage}).
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
  const listing = await deps.cloud.hss.listHosts(filter);
  // The client has no `has_risk` filter: risk is decided here from the detection result and counts.
  const hosts = listing.items
    .filter((h) => !f.risk || hasRisk(h))
    .sort((a, b) =>
      a.hostName < b.hostName ? -1 : a.hostName > b.hostName ? 1 : a.hostId < b.hostId ? -1 : 1,
    );
  const counts = countHosts(hosts);
  if (hosts.length > DEFAULT_PAGE_SIZE) {
    options.keepSnapshot?.({ ids: hosts.map((h) => h.hostId), statusCounts: { ...counts } });
  }
  const page = pageOf(hosts, options.page);
  return buildHssHostListView({
    hosts: page.items,
    total: hosts.length,
    page: page.page,
    filters: f,
    counts,
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
