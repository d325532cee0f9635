import { badBody, v1NotFound, v1Route, withServer } from "./ecs-route-helpers.js";
import { ECS_ERRORS, ecsError } from "./error-bodies.js";
import { isRecord, jsonObject, type Route, type RouteContext, type RouteResult } from "./match-route.js";
import type { SimServer, SimTag } from "./world-types.js";

/** "An ECS allows a maximum of 10 tags" (doc 5.9.3). */
export const MAX_TAGS = 10;
/** `resource_instances/action` returns at most this many ECSs a page (doc 5.9.2). */
const MAX_TAG_QUERY_LIMIT = 1000;
/** Tag keys (5.9.3): ≤ 36 of A–Z a–z 0–9 - _ and CJK (U+4E00–U+9FFF). */
const KEY_PATTERN = /^[A-Za-z0-9_\-\u4E00-\u9FFF]{1,36}$/;
/** Tag values (5.9.3): ≤ 43 of the key characters and `.`; may be empty. */
const VALUE_PATTERN = /^[A-Za-z0-9_.\-\u4E00-\u9FFF]{0,43}$/;

type Invalid = { invalid: RouteResult };

/** `GET /v1/{project_id}/servers/tags` (doc 5.9.5, and the SDK's `/cloudservers/tags`): every key with its values. */
function projectTags(ctx: RouteContext): RouteResult {
  const byKey = new Map<string, Set<string>>();
  for (const s of ctx.core.store.servers()) {
    for (const t of s.tags) {
      const values = byKey.get(t.key) ?? new Set<string>();
      values.add(t.value);
      byKey.set(t.key, values);
    }
  }
  return {
    status: 200,
    body: { tags: [...byKey].map(([key, values]) => ({ key, values: [...values].sort() })) },
  };
}

function parseTagList(value: unknown, forCreate: boolean): SimTag[] | Invalid {
  if (!Array.isArray(value) || value.length === 0)
    return { invalid: badBody("tags must be a non-empty array.") };
  const tags: SimTag[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item.key !== "string" || item.key === "")
      return { invalid: badBody("Each tag needs a key.") };
    const tagValue = item.value ?? (forCreate ? undefined : "");
    if (typeof tagValue !== "string") return { invalid: badBody(`Tag ${item.key} needs a string value.`) };
    if (forCreate && (!KEY_PATTERN.test(item.key) || !VALUE_PATTERN.test(tagValue))) {
      return {
        invalid: ecsError(
          400,
          ECS_ERRORS.badTag.code,
          `${ECS_ERRORS.badTag.message} Invalid tag: ${item.key}.`,
        ),
      };
    }
    if (!forCreate && (item.key.length > 127 || tagValue.length > 255))
      return { invalid: badBody("Tag keys have at most 127 and values at most 255 characters.") };
    if (tags.some((t) => t.key === item.key)) {
      return {
        invalid: ecsError(
          400,
          ECS_ERRORS.duplicateTagKey.code,
          `${ECS_ERRORS.duplicateTagKey.message} key: ${item.key}`,
        ),
      };
    }
    tags.push({ key: item.key, value: tagValue });
  }
  return tags;
}

/**
 * `POST /v1/{project_id}/servers/{server_id}/tags/action` (doc 5.9.3, 5.9.4): `create` adds or
 * overwrites by key (at most 10 tags in the end); `delete` removes by key, and only the matching
 * value when one is given. Both are idempotent and answer 204 without a body.
 */
function tagAction(ctx: RouteContext, server: SimServer): RouteResult {
  const body = jsonObject(ctx.body);
  if (!body) return badBody();
  if (body.action !== "create" && body.action !== "delete")
    return badBody("action must be create or delete (lower case).");
  const create = body.action === "create";
  const tags = parseTagList(body.tags, create);
  if ("invalid" in tags) return tags.invalid;
  let next: SimTag[];
  if (create) {
    next = server.tags.map((t) => ({ ...t }));
    for (const tag of tags) {
      const existing = next.find((t) => t.key === tag.key);
      if (existing) existing.value = tag.value;
      else next.push({ ...tag });
    }
    if (next.length > MAX_TAGS) {
      return ecsError(
        400,
        ECS_ERRORS.tooManyTags.code,
        `${ECS_ERRORS.tooManyTags.message} An ECS has at most ${MAX_TAGS} tags.`,
      );
    }
  } else {
    // A value given with a key deletes the tag only if the value matches ("" means any value).
    next = server.tags.filter(
      (t) => !tags.some((d) => d.key === t.key && (d.value === "" || d.value === t.value)),
    );
  }
  server.tags = next;
  server.updated = ctx.now;
  return {
    status: 204,
    mutation: {
      type: create ? "batchCreateServerTags" : "batchDeleteServerTags",
      jobId: null,
      serverIds: [server.id],
    },
  };
}

interface TagQuery {
  tags: { key: string; values: string[] }[];
  notTags: { key: string; values: string[] }[];
  name: string | undefined;
}

/** `tags` / `not_tags` items: `{key, values?}`; `not_tags` may also list bare keys (the doc types it "Array of strings"). */
function parseTagFilter(value: unknown, field: string): TagQuery["tags"] | Invalid {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0)
    return { invalid: badBody(`${field} cannot be left blank.`) };
  const out: TagQuery["tags"] = [];
  for (const item of value) {
    const entry =
      typeof item === "string" && field === "not_tags"
        ? { key: item, values: [] as unknown[] }
        : isRecord(item)
          ? { key: item.key, values: item.values ?? [] }
          : undefined;
    if (!entry || typeof entry.key !== "string" || entry.key === "" || entry.key.length > 127)
      return { invalid: badBody(`Each item of ${field} needs a key.`) };
    if (!Array.isArray(entry.values) || entry.values.some((v) => typeof v !== "string" || v.length > 255))
      return { invalid: badBody(`${field}.values must be an array of strings.`) };
    const values = entry.values as string[];
    if (new Set(values).size !== values.length)
      return { invalid: badBody(`Values of ${field} key ${entry.key} must be unique.`) };
    if (out.some((t) => t.key === entry.key)) return { invalid: badBody(`Keys of ${field} must be unique.`) };
    out.push({ key: entry.key, values });
  }
  return out;
}

/** A string or number holding a non-negative integer (the doc types `limit`/`offset` as strings). */
function count(value: unknown, field: string, fallback: number, max: number): number | Invalid {
  if (value === undefined || value === null || value === "") return fallback;
  const raw = typeof value === "number" ? String(value) : value;
  if (typeof raw !== "string" || !/^\d+$/.test(raw))
    return { invalid: badBody(`${field} must be a non-negative integer.`) };
  const n = Number(raw);
  if (n > max) return { invalid: badBody(`${field} must be at most ${max}.`) };
  return n;
}

function matchesTag(server: SimServer, want: { key: string; values: string[] }): boolean {
  const tag = server.tags.find((t) => t.key === want.key);
  return tag !== undefined && (want.values.length === 0 || want.values.includes(tag.value));
}

/**
 * `POST /v1/{project_id}/servers/resource_instances/action` (doc 5.9.2): ECSs having every `tags`
 * entry (values OR-ed) and none of `not_tags`, whose name contains the `resource_name` match.
 * `filter` pages with `offset` (index of the first ECS) and `limit` (default and max 1,000); `count`
 * only counts. ECSs come newest first, like the list APIs.
 */
function queryByTag(ctx: RouteContext): RouteResult {
  const body = jsonObject(ctx.body);
  if (!body) return badBody();
  if (body.action !== "filter" && body.action !== "count") return badBody("action must be filter or count.");
  const tags = parseTagFilter(body.tags, "tags");
  if ("invalid" in tags) return tags.invalid;
  const notTags = parseTagFilter(body.not_tags, "not_tags");
  if ("invalid" in notTags) return notTags.invalid;
  let name: string | undefined;
  if (body.matches !== undefined) {
    if (!Array.isArray(body.matches)) return badBody("matches must be an array.");
    for (const m of body.matches) {
      if (!isRecord(m) || m.key !== "resource_name")
        return badBody("matches supports the key resource_name only.");
      if (typeof m.value !== "string" || m.value === "" || m.value.length > 255)
        return badBody("matches.value must be a non-empty string.");
      if (name !== undefined) return badBody("matches keys must be unique.");
      name = m.value;
    }
  }
  const limit = count(body.limit, "limit", MAX_TAG_QUERY_LIMIT, MAX_TAG_QUERY_LIMIT);
  if (typeof limit !== "number") return limit.invalid;
  const offset = count(body.offset, "offset", 0, Number.MAX_SAFE_INTEGER);
  if (typeof offset !== "number") return offset.invalid;
  const matched = ctx.core.store
    .servers()
    .filter(
      (s) =>
        tags.every((t) => matchesTag(s, t)) &&
        !notTags.some((t) => matchesTag(s, t)) &&
        (name === undefined || s.name.includes(name)),
    );
  if (body.action === "count") return { status: 200, body: { total_count: matched.length } };
  return {
    status: 200,
    body: {
      resources: matched.slice(offset, offset + limit).map((s) => ({
        resource_id: s.id,
        resource_detail: null,
        tags: s.tags.map((t) => ({ key: t.key, value: t.value })),
        resource_name: s.name,
      })),
      total_count: matched.length,
    },
  };
}

/** Tag APIs, at the doc's `/servers/…` paths and the SDK's `/cloudservers/…` paths. */
export function createEcsTagRoutes(): Route[] {
  const action = withServer(v1NotFound, tagAction);
  return [
    v1Route("GET", "/v1/:project_id/servers/tags", projectTags),
    v1Route("GET", "/v1/:project_id/cloudservers/tags", projectTags),
    v1Route("POST", "/v1/:project_id/servers/resource_instances/action", queryByTag),
    v1Route("POST", "/v1/:project_id/cloudservers/resource_instances/action", queryByTag),
    v1Route("POST", "/v1/:project_id/servers/:server_id/tags/action", action),
    v1Route("POST", "/v1/:project_id/cloudservers/:server_id/tags/action", action),
  ];
}
