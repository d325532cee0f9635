import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import { pageOf } from "../../views/build-paged-list.js";
import { buildServerListView } from "../../views/build-server-list-view.js";
import { byNameThenId, type ReadDeps, type ReadOptions, viewOptions } from "./read-options.js";

/** `/ecs list`: every matching server (ECS filters, tags ANDed), sorted by name, one page shown. */
export async function readEcsList(
  intent: IntentOf<"ecs.list">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const f = intent.filters;
  const tags = f.tags.map((t) => `${t.key}=${t.value}`);
  const listed = await deps.cloud.ecs.listServers({
    ...(f.name !== undefined ? { name: f.name } : {}),
    ...(f.status !== undefined ? { status: f.status } : {}),
    ...(f.flavor !== undefined ? { flavor: f.flavor } : {}),
    ...(f.ip !== undefined ? { ip: f.ip } : {}),
    ...(tags.length > 0 ? { tags: tags.join(",") } : {}),
    pageSize: 1000,
  });
  // The service filters; checking tags again keeps "every tag must match" true whatever it does.
  const servers = listed.filter((s) => tags.every((t) => s.tags.includes(t))).sort(byNameThenId);
  const statusCounts: Record<string, number> = {};
  for (const s of servers) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
  const page = pageOf(servers, options.page);
  return buildServerListView({
    servers: page.items,
    total: servers.length,
    page: page.page,
    filters: f,
    statusCounts,
    ...viewOptions(options),
  });
}
