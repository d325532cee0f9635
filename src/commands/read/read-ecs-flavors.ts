import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import { buildFlavorListView } from "../../views/build-flavor-list-view.js";
import { pageOf } from "../../views/build-paged-list.js";
import { type ReadDeps, type ReadOptions, viewOptions } from "./read-options.js";

/** `/ecs flavors`: flavors of the zone (or all), minimum vCPUs/RAM applied, smallest first. */
export async function readEcsFlavors(
  intent: IntentOf<"ecs.flavors">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const listed = await deps.cloud.ecs.listFlavors(intent.az);
  const flavors = listed
    .filter((f) => f.disabled !== true)
    .filter((f) => intent.minVcpus === undefined || f.vcpus >= intent.minVcpus)
    .filter((f) => intent.minRamMiB === undefined || f.ramMb >= intent.minRamMiB)
    .sort((a, b) => a.vcpus - b.vcpus || a.ramMb - b.ramMb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = pageOf(flavors, options.page);
  const { type: _type, ...query } = intent;
  return buildFlavorListView({
    flavors: page.items,
    total: flavors.length,
    page: page.page,
    query,
    ...viewOptions(options),
  });
}
