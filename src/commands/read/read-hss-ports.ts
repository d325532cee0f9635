import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import { buildOpenPortListView, isDangerous, sortPorts } from "../../views/build-open-port-list-view.js";
import { pageOf } from "../../views/build-paged-list.js";
import { type ReadDeps, type ReadOptions, serverFor, viewOptions } from "./read-options.js";

/** `/hss ports`: the resolved server's open ports (HSS host ID = ECS server ID), dangerous first. */
export async function readHssPorts(
  intent: IntentOf<"hss.ports">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const server = await serverFor(intent.server, options, deps);
  const listing = await deps.cloud.hss.listOpenPorts(server.id, {
    ...(intent.protocol !== undefined ? { type: intent.protocol.toUpperCase() } : {}),
    ...(intent.danger ? { status: "danger" } : {}),
  });
  // The older edition of the API has no `status` filter and lists every port: `danger` is applied here too.
  const ports = sortPorts(intent.danger ? listing.items.filter(isDangerous) : listing.items);
  const page = pageOf(ports, options.page);
  return buildOpenPortListView({
    server,
    ports: page.items,
    total: ports.length,
    dangerous: ports.filter(isDangerous).length,
    page: page.page,
    dangerOnly: intent.danger,
    ...(intent.protocol !== undefined ? { protocol: intent.protocol } : {}),
    ...viewOptions(options),
  });
}
