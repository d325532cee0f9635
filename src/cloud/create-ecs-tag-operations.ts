import type { EcsApiContext } from "./create-ecs-api.js";
import { assertPathId } from "./create-ecs-api.js";
import type { CloudRequest, CloudResponse } from "./create-transport.js";
import {
  projectTagsResponse,
  tagCountResponse,
  taggedServersResponse,
  toProjectTags,
  toTaggedServerPage,
} from "./ecs-operation-schemas.js";
import type { EcsTagOperations, TagCondition, TagQuery, TagQueryPage } from "./ecs-operation-types.js";
import { parseResponse } from "./parse-response.js";

/** Most ECSs one tag query page returns (5.9.2: "The maximum value is 1,000"). */
export const TAG_QUERY_MAX_LIMIT = 1000;

function conditions(list: readonly TagCondition[] | undefined) {
  return (list ?? []).map((c) => ({ key: c.key, values: [...(c.values ?? [])] }));
}

/** The request body of `resource_instances/action`; empty criteria are left out ("cannot be left blank"). */
function tagQueryBody(action: "filter" | "count", query: TagQuery, page?: TagQueryPage) {
  const body: Record<string, unknown> = { action };
  const tags = conditions(query.tags);
  const notTags = conditions(query.notTags);
  if (tags.length > 0) body.tags = tags;
  if (notTags.length > 0) body.not_tags = notTags;
  if (query.name !== undefined && query.name !== "")
    body.matches = [{ key: "resource_name", value: query.name }];
  if (page) {
    const limit = Math.min(TAG_QUERY_MAX_LIMIT, Math.max(1, Math.floor(page.limit ?? TAG_QUERY_MAX_LIMIT)));
    // The doc types `limit` and `offset` as strings.
    body.limit = String(limit);
    body.offset = String(Math.max(0, Math.floor(page.offset ?? 0)));
  }
  return body;
}

function assertTags(tags: readonly { key: string }[]): void {
  if (tags.length === 0) throw new RangeError("at least one tag is required");
  for (const t of tags)
    if (typeof t.key !== "string" || t.key === "") throw new RangeError("tag keys must be non-empty");
}

/** Tag operations over the ECS API context (2D tags, doc 5.9). */
export function createEcsTagOperations(ctx: EcsApiContext): EcsTagOperations {
  const send = async (req: Omit<CloudRequest, "endpoint" | "projectId">): Promise<CloudResponse> =>
    ctx.transport.send({ ...req, endpoint: ctx.endpoint, projectId: await ctx.projectId(req.signal) });

  const tagAction = async (
    operation: string,
    serverId: string,
    action: "create" | "delete",
    tags: Record<string, string>[],
  ): Promise<void> => {
    assertPathId(serverId, "server ID");
    await send({
      method: "POST",
      path: `/v1/${await ctx.projectId()}/servers/${serverId}/tags/action`,
      body: { action, tags },
      operation,
      identity: { serverIds: [serverId], tags },
      retry: "mutation",
    });
  };

  const query = async (
    operation: string,
    body: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<CloudResponse> =>
    send({
      method: "POST",
      path: `/v1/${await ctx.projectId(signal)}/servers/resource_instances/action`,
      body,
      operation,
      // A query changes nothing: as safe to resend as a GET.
      retry: "read",
      signal,
    });

  return {
    async listProjectTags(signal) {
      const operation = "ecs.listProjectTags";
      const res = await send({
        method: "GET",
        path: `/v1/${await ctx.projectId(signal)}/servers/tags`,
        operation,
        signal,
      });
      return toProjectTags(parseResponse(projectTagsResponse, res, operation));
    },

    async addServerTags(serverId, tags) {
      assertTags(tags);
      await tagAction(
        "ecs.addServerTags",
        serverId,
        "create",
        tags.map((t) => ({ key: t.key, value: t.value })),
      );
    },

    async deleteServerTags(serverId, tags) {
      assertTags(tags);
      await tagAction(
        "ecs.deleteServerTags",
        serverId,
        "delete",
        tags.map(
          (t): Record<string, string> =>
            t.value === undefined ? { key: t.key } : { key: t.key, value: t.value },
        ),
      );
    },

    async findServersByTag(criteria, page = {}, signal) {
      const operation = "ecs.findServersByTag";
      const res = await query(operation, tagQueryBody("filter", criteria, page), signal);
      return toTaggedServerPage(parseResponse(taggedServersResponse, res, operation));
    },

    async countServersByTag(criteria, signal) {
      const operation = "ecs.countServersByTag";
      const res = await query(operation, tagQueryBody("count", criteria), signal);
      return parseResponse(tagCountResponse, res, operation).total_count;
    },
  };
}
