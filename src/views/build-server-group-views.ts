import type { ServerGroup } from "../cloud/ecs-operation-types.js";
import type { Server } from "../cloud/types.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  actions,
  code,
  context,
  header,
  type ListItem,
  list,
  type Message,
  md,
  type Part,
} from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { buildPagedList, shareButton } from "./build-paged-list.js";
import { joinTexts, sharedByLine, typeable } from "./format-values.js";

export interface ServerGroupListViewInput {
  groups: readonly ServerGroup[];
  total: number;
  page: number;
  controls?: ResultControls;
  sharedBy?: string;
}

/** `/ecs groups`: the project's ECS groups with their policy and member count. */
export function buildServerGroupListView(input: ServerGroupListViewInput): Message {
  const items: ListItem[] = input.groups.map((g) => ({
    title: g.name,
    subtitle: joinTexts([g.policies.join(", ") || "no policy", plural(g.members.length, "member")]),
    fields: [{ label: md`ID`, value: code(g.id) }],
  }));
  const blocks = buildPagedList({
    title: md`ECS groups`,
    summary: [md`Members of one: ${code("/ecs group <group_id>")}`],
    items,
    total: input.total,
    page: input.page,
    empty: md`This project has no ECS group.`,
    ...(input.controls ? { controls: input.controls } : {}),
    ...(input.sharedBy !== undefined ? { sharedBy: input.sharedBy } : {}),
  });
  return { text: md`ECS groups: ${String(input.total)}`, blocks };
}

export interface ServerGroupViewInput {
  group: ServerGroup;
  /** The members as read now, by ID; a member missing here could not be read (or is gone). */
  members: ReadonlyMap<string, Server>;
  controls?: ResultControls;
  sharedBy?: string;
}

/** `/ecs group <id>`: one ECS group, its policy and its members with their status. */
export function buildServerGroupView(input: ServerGroupViewInput): Message {
  const g = input.group;
  const items: ListItem[] = g.members.map((id) => {
    const s = input.members.get(id);
    return s
      ? { status: s.status, title: typeable(s.name), subtitle: md`${code(s.id)}` }
      : { title: id, subtitle: md`could not be read` };
  });
  const blocks: Part[] = [
    header(md`ECS group ${g.name}`),
    context(
      md`${code(g.id)}`,
      md`Policy: ${g.policies.join(", ") || "none"}`,
      md`${plural(g.members.length, "member")}`,
    ),
  ];
  blocks.push(items.length > 0 ? list(items) : context(md`This group has no member.`));
  if (input.sharedBy !== undefined) blocks.push(context(sharedByLine(input.sharedBy)));
  if (input.controls !== undefined) blocks.push(actions(shareButton(input.controls, 1)));
  return { text: md`ECS group ${g.name}: ${plural(g.members.length, "member")}`, blocks };
}
