import { parseServerTags } from "../cloud/parse-server-tags.js";
import type { EcsApi } from "../cloud/types.js";

export interface ServerIndexEntry {
  name: string;
  status: string;
  tags: Record<string, string>;
  flavor: string;
}

/** Every server by ID, with its tags parsed (HSS host IDs are server IDs, so HSS hosts get their tags here). */
export async function fetchServerIndex(
  ecs: Pick<EcsApi, "listServers">,
): Promise<Map<string, ServerIndexEntry>> {
  const servers = await ecs.listServers();
  return new Map(
    servers.map((s) => [
      s.id,
      { name: s.name, status: s.status, tags: parseServerTags(s.tags), flavor: s.flavor.name ?? s.flavor.id },
    ]),
  );
}
