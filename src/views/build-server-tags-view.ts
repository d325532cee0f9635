import type { ProjectTag } from "../cloud/ecs-operation-types.js";
import type { Server, ServerTag } from "../cloud/types.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  actions,
  code,
  context,
  header,
  type ListItem,
  type Message,
  md,
  type Part,
} from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { buildPagedList, shareButton } from "./build-paged-list.js";
import { joinTexts, sharedByLine } from "./format-values.js";

/** An ECS has at most 10 tags. */
const MAX_TAGS = 10;

export interface ServerTagsViewInput {
  server: Pick<Server, "id" | "name">;
  tags: readonly ServerTag[];
  controls?: ResultControls;
  sharedBy?: string;
}

/** `/ecs tags <server>`: the server's tags, `key=value`, sorted by key. */
export function buildServerTagsView(input: ServerTagsViewInput): Message {
  const tags = [...input.tags].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const blocks: Part[] = [header(md`Tags of ${input.server.name}`)];
  blocks.push(
    context(
      md`${code(input.server.id)}`,
      md`${plural(tags.length, "tag")} of at most ${MAX_TAGS}`,
      md`Change them with ${code("/ecs tag <server> add key=value")} or ${code("remove key")}`,
    ),
  );
  if (tags.length > 0) {
    blocks.push(
      context(
        joinTexts(
          tags.map((t) => code(t.value === "" ? t.key : `${t.key}=${t.value}`)),
          " ",
        ),
      ),
    );
  } else blocks.push(context(md`This server has no tags.`));
  if (input.sharedBy !== undefined) blocks.push(context(sharedByLine(input.sharedBy)));
  if (input.controls !== undefined) blocks.push(actions(shareButton(input.controls, 1)));
  return { text: md`Tags of ${input.server.name}: ${String(tags.length)}`, blocks };
}

export interface ProjectTagsViewInput {
  /** The page's keys. */
  tags: readonly ProjectTag[];
  total: number;
  page: number;
  controls?: ResultControls;
  sharedBy?: string;
}

/** `/ecs tags`: every tag key of the project with the values it has, one key per row. */
export function buildProjectTagsView(input: ProjectTagsViewInput): Message {
  const items: ListItem[] = input.tags.map((t) => ({
    title: t.key,
    subtitle:
      t.values.length > 0
        ? joinTexts(
            [...t.values].sort().map((v) => code(v)),
            " ",
          )
        : md`no values`,
  }));
  const blocks = buildPagedList({
    title: md`Tags of the project`,
    summary: [md`Find the servers with a tag: ${code("/ecs list tag:key=value")}`],
    items,
    total: input.total,
    page: input.page,
    empty: md`No server of this project has a tag.`,
    ...(input.controls ? { controls: input.controls } : {}),
    ...(input.sharedBy !== undefined ? { sharedBy: input.sharedBy } : {}),
  });
  return { text: md`Tag keys of the project: ${String(input.total)}`, blocks };
}
