import type { HssHostFilter } from "../../cloud/types.js";
import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import { buildHssHostListView, countHosts, hasRisk } from "../../views/build-hss-host-list-view.js";
import { pageOf } from "../../views/build-paged-list.js";
import { type ReadDeps, type ReadOptions, viewOptions } from "./read-options.js";

const GROUP_ID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** `/hss hosts`: hosts with agent/protection/risk, the service filtering what it can. */
export async function readHssHosts(
  intent: IntentOf<"hss.hosts">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
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
  const page = pageOf(hosts, options.page);
  return buildHssHostListView({
    hosts: page.items,
    total: hosts.length,
    page: page.page,
    filters: f,
    counts: countHosts(hosts),
    ...viewOptions(options),
  });
}
