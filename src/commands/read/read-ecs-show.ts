import { CloudError } from "../../cloud/errors.js";
import type { HssHost } from "../../cloud/types.js";
import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import { buildServerDetailView } from "../../views/build-server-detail-view.js";
import { type ReadDeps, type ReadOptions, serverFor, viewOptions } from "./read-options.js";

/**
 * `/ecs show`: the resolved server's details with its HSS status (one HSS query for this host, since the
 * HSS host ID is the ECS server ID) and the power actions offered to the viewer.
 */
export async function readEcsShow(
  intent: IntentOf<"ecs.show">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const server = await serverFor(intent.server, options, deps);
  const hss = await hssHostOf(server.id, deps);
  return buildServerDetailView({
    server,
    hss,
    ...(options.offer !== undefined && options.offer.actions.length > 0 && { offer: options.offer }),
    ...viewOptions(options),
  });
}

/** The server's HSS host, `null` if HSS does not know it; a cloud error only costs the HSS line. */
async function hssHostOf(serverId: string, deps: ReadDeps): Promise<HssHost | null | "unavailable"> {
  try {
    const listing = await deps.cloud.hss.listHosts({ hostId: serverId }, { pageSize: 10, maxRecords: 10 });
    return listing.items.find((h) => h.hostId === serverId) ?? null;
  } catch (error) {
    if (error instanceof CloudError) return "unavailable";
    throw error;
  }
}
