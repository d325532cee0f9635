import { CloudError } from "../../cloud/errors.js";
import type { Server } from "../../cloud/types.js";
import type { IntentOf } from "../../intents/index.js";
import { code, type Message, md } from "../../render/message-model.js";
import { mapWithConcurrency } from "../../targets/map-with-concurrency.js";
import { buildConsoleLogView } from "../../views/build-console-log-view.js";
import { buildNoticeView } from "../../views/build-notice-view.js";
import { pageOf } from "../../views/build-paged-list.js";
import { buildQuotasView } from "../../views/build-quotas-view.js";
import { buildServerActionsView } from "../../views/build-server-actions-view.js";
import { buildServerGroupListView, buildServerGroupView } from "../../views/build-server-group-views.js";
import { buildSecurityGroupsView, buildServerNicsView } from "../../views/build-server-network-views.js";
import { buildProjectTagsView, buildServerTagsView } from "../../views/build-server-tags-view.js";
import { type BotCall, correlateServerActions } from "./correlate-server-actions.js";
import { type ReadDeps, type ReadOptions, serverFor, viewOptions } from "./read-options.js";

/**
 * The reads of an operator's day: tags, console log, quotas, NICs, security groups, ECS groups and a
 * server's history. Each reads what it is about: one server's reads never list the fleet.
 */

/** `/ecs tags [<server>]`: one server's tags (6.15.1), or the project's keys and values (5.9.5). */
export async function readEcsTags(
  intent: IntentOf<"ecs.tags">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  if (intent.server === undefined) {
    const keys = [...(await deps.cloud.ecs.listProjectTags())].sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    const page = pageOf(keys, options.page);
    return buildProjectTagsView({
      tags: page.items,
      total: keys.length,
      page: page.page,
      ...viewOptions(options),
    });
  }
  const server = await serverFor(intent.server, options, deps);
  const tags = await deps.cloud.ecs.listServerTags(server.id);
  return buildServerTagsView({ server, tags, ...viewOptions(options) });
}

/** `/ecs console-log <server> [lines]` (6.14.1): answered to the requester only, never with controls. */
export async function readEcsConsoleLog(
  intent: IntentOf<"ecs.console-log">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const server = await serverFor(intent.server, options, deps);
  const lines = await deps.cloud.ecs.getConsoleOutput(server.id, intent.lines);
  // The cloud may return more than asked; the newest are the ones asked for.
  return buildConsoleLogView({ server, lines: lines.slice(-intent.lines), requested: intent.lines });
}

/** `/ecs quotas` (5.7.1). */
export async function readEcsQuotas(options: ReadOptions, deps: ReadDeps): Promise<Message> {
  return buildQuotasView({ quotas: await deps.cloud.ecs.getQuotas(), ...viewOptions(options) });
}

/** `/ecs nics <server>` (6.7.1). */
export async function readEcsNics(
  intent: IntentOf<"ecs.nics">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const server = await serverFor(intent.server, options, deps);
  const nics = await deps.cloud.ecs.listServerNics(server.id);
  return buildServerNicsView({ server, nics, ...viewOptions(options) });
}

/** `/ecs sg <server>` (6.5.3). */
export async function readEcsSecurityGroups(
  intent: IntentOf<"ecs.sg">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const server = await serverFor(intent.server, options, deps);
  const groups = await deps.cloud.ecs.listServerSecurityGroups(server.id);
  return buildSecurityGroupsView({ server, groups, ...viewOptions(options) });
}

/** `/ecs groups` (5.10.5), by name. */
export async function readEcsGroups(options: ReadOptions, deps: ReadDeps): Promise<Message> {
  const groups = [...(await deps.cloud.ecs.listServerGroups())].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1,
  );
  const page = pageOf(groups, options.page);
  return buildServerGroupListView({
    groups: page.items,
    total: groups.length,
    page: page.page,
    ...viewOptions(options),
  });
}

/** `/ecs group <id>` (5.10.6), with its members as they are now (an ECS group has at most 16). */
export async function readEcsGroup(
  intent: IntentOf<"ecs.group">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  let group: Awaited<ReturnType<typeof deps.cloud.ecs.getServerGroup>>;
  try {
    group = await deps.cloud.ecs.getServerGroup(intent.groupId);
  } catch (error) {
    if (error instanceof CloudError && error.isNotFound) {
      return buildNoticeView(
        ":mag:",
        md`No ECS group ${code(intent.groupId)}. ${code("/ecs groups")} lists them.`,
      );
    }
    throw error;
  }
  const members = new Map<string, Server>();
  await mapWithConcurrency(group.members, 4, async (id) => {
    try {
      members.set(id, await deps.cloud.ecs.getServer(id));
    } catch (error) {
      // A member that cannot be read is shown as such; the group itself was read.
      if (!(error instanceof CloudError)) throw error;
    }
  });
  return buildServerGroupView({ group, members, ...viewOptions(options) });
}

/** The bot's calls on a server, from its audit entries (the intent saved before each call). */
export function botCallsOf(entries: Awaited<ReturnType<NonNullable<ReadDeps["auditTrail"]>>>): BotCall[] {
  const requesters = new Map<string, string>();
  for (const e of entries) if (e.requestId && e.requesterId) requesters.set(e.requestId, e.requesterId);
  return entries.flatMap((e): BotCall[] => {
    const call = e.detail?.call;
    if (e.type !== "execution.step" || e.detail?.phase !== "intent" || typeof call !== "string") return [];
    const requesterId = e.requestId !== undefined ? requesters.get(e.requestId) : undefined;
    // A stop or reboot says how it was sent (its intent's params): the cloud's record does not.
    const params = e.detail?.params;
    const type = typeof params === "object" && params !== null && "type" in params ? params.type : undefined;
    return [
      {
        at: e.at,
        call,
        ...(e.requestId !== undefined && { requestId: e.requestId }),
        ...(requesterId !== undefined && { requesterId }),
        ...((type === "HARD" || type === "SOFT") && { type }),
      },
    ];
  });
}

/** `/ecs actions <server>`: the cloud's record (6.13.1) next to the bot's audit entries for the server. */
export async function readEcsActions(
  intent: IntentOf<"ecs.actions">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const server = await serverFor(intent.server, options, deps);
  const [actions, entries] = await Promise.all([
    deps.cloud.ecs.listServerActions(server.id),
    deps.auditTrail ? deps.auditTrail(server.id) : Promise.resolve([]),
  ]);
  const { rows, botOnly } = correlateServerActions(actions, botCallsOf(entries));
  return buildServerActionsView({ server, rows, botOnly, ...viewOptions(options) });
}
