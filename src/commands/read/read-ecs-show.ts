import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import { buildServerDetailView } from "../../views/build-server-detail-view.js";
import { type ReadDeps, type ReadOptions, serverFor, viewOptions } from "./read-options.js";

/** `/ecs show`: the resolved server's details. */
export async function readEcsShow(
  intent: IntentOf<"ecs.show">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const server = await serverFor(intent.server, options, deps);
  return buildServerDetailView({ server, ...viewOptions(options) });
}
