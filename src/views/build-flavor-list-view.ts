import { flavorStatusIn } from "../cloud/read-flavor-sale.js";
import type { Flavor } from "../cloud/types.js";
import type { IntentOf } from "../intents/index.js";
import { plural } from "../render/escape-mrkdwn.js";
import { code, type ListItem, type Message, md, type Text } from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { buildPagedList, DEFAULT_PAGE_SIZE } from "./build-paged-list.js";
import { formatRamMb, joinTexts } from "./format-values.js";

export type FlavorQuery = Omit<IntentOf<"ecs.flavors">, "type">;

export interface FlavorListViewInput {
  flavors: readonly Flavor[];
  total: number;
  page: number;
  pageSize?: number;
  query: FlavorQuery;
  controls?: ResultControls;
  sharedBy?: string;
}

/** One flavor; with `az` (the `az=` filter), its sale status in that AZ rather than the region's and the AZ list. */
function flavorItem(flavor: Flavor, az: string | undefined): ListItem {
  const subtitle: Text[] = [
    md`${flavor.vcpus} vCPU${flavor.vcpus === 1 ? "" : "s"}`,
    formatRamMb(flavor.ramMb),
  ];
  if (flavor.performanceType) subtitle.push(flavor.performanceType);
  const fields: { label: Text; value: Text }[] = [];
  if (flavor.name !== flavor.id) fields.push({ label: md`Name`, value: flavor.name });
  if (az !== undefined) {
    const { status } = flavorStatusIn(flavor, az);
    if (status !== "normal") fields.push({ label: md`Sale status in ${az}`, value: status });
  } else {
    if (flavor.operationStatus && flavor.operationStatus !== "normal") {
      fields.push({ label: md`Sale status`, value: flavor.operationStatus });
    }
    if (flavor.operationAz) fields.push({ label: md`AZs`, value: flavor.operationAz });
  }
  return { title: code(flavor.id), subtitle: joinTexts(subtitle), fields };
}

/** `/ecs flavors`: instance types with vCPUs and RAM, smallest first. */
export function buildFlavorListView(input: FlavorListViewInput): Message {
  const filters: Text[] = [];
  if (input.query.az !== undefined) filters.push(md`AZ ${code(input.query.az)}`);
  if (input.query.minVcpus !== undefined) filters.push(md`at least ${plural(input.query.minVcpus, "vCPU")}`);
  if (input.query.minRamMiB !== undefined) filters.push(md`at least ${formatRamMb(input.query.minRamMiB)}`);
  const blocks = buildPagedList({
    title: md`ECS flavors`,
    summary: filters.length > 0 ? [md`Filters: ${joinTexts(filters)}`] : [],
    items: input.flavors.map((f) => flavorItem(f, input.query.az)),
    total: input.total,
    page: input.page,
    pageSize: input.pageSize ?? DEFAULT_PAGE_SIZE,
    empty: md`No flavors match.`,
    ...(input.controls ? { controls: input.controls } : {}),
    ...(input.sharedBy !== undefined ? { sharedBy: input.sharedBy } : {}),
  });
  return { text: md`ECS flavors: ${input.total.toLocaleString("en-US")}`, blocks };
}
