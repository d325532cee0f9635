import { ChatDeliveryError, type Responder } from "../app/ports.js";
import type { Server } from "../cloud/types.js";
import { formatTarget, type IntentOf, IntentSchema, type Target } from "../intents/index.js";
import type { Logger } from "../log/create-logger.js";
import { type NotifyAction, parseNotifyActionId } from "../notify/notify-action-ids.js";
import { code, type Message, md } from "../render/message-model.js";
import { createCloudTargetLookup } from "../targets/create-cloud-target-lookup.js";
import { resolveTargets } from "../targets/resolve-targets.js";
import type { Resolution, TargetLookup } from "../targets/types.js";
import { buildHssHostListView, countHosts } from "../views/build-hss-host-list-view.js";
import { buildNotEnabledView, buildNoticeView } from "../views/build-notice-view.js";
import { buildResolutionErrorView } from "../views/build-resolution-error-view.js";
import { commandLabel } from "./command-label.js";
import { createInteractionTokens, type InteractionTokens } from "./create-interaction-tokens.js";
import { explainFailure, newReference } from "./explain-failure.js";
import { runReadQuery } from "./read/run-read-query.js";
import type {
  ActionHandler,
  ActionRequest,
  InteractionContext,
  MutationContext,
  MutationHandler,
  ReadIntent,
  ReadPolicy,
  RequestMeta,
} from "./types.js";

export interface NotifyActionDeps {
  /** The slash commands' mutation handler (policy, approval, execution); absent: Start is not enabled. */
  mutation?: MutationHandler;
  /** The slash commands' read policy; absent: reads are allowed. */
  readPolicy?: ReadPolicy;
  /**
   * The bot's Slack user ID, for `/invite` hints: asked when a failure is explained (known once the bot has
   * started); absent or undefined, the hints name the app's manifest name.
   */
  botUserId?: () => string | undefined;
  /** Target lookups; default ECS through the interaction's cloud client. */
  lookup?: TargetLookup<Server>;
  /** Tokens behind Previous/Next/Share; default on the interaction's store (the router's, when shared). */
  tokens?: InteractionTokens;
}

/** The equivalent command of each button, with the button's value (a bare ID) in it. */
function intentOf(action: NotifyAction, id: string): unknown {
  const server: Target = { kind: "id", id };
  switch (action) {
    case "serverDetails":
      return { type: "ecs.show", server };
    case "serverStart":
      return { type: "ecs.start", targets: [server] };
    case "hostDetails":
      return { type: "hss.hosts", filters: { risk: false } };
    case "hostPorts":
      return { type: "hss.ports", server, danger: false };
    case "scanTaskHosts":
      return { type: "hss.scan", taskId: id, status: "failed" };
  }
}

/** HSS host IDs are ECS server IDs. */
const HOST_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The buttons on channel notifications (`notify.*`, with their `.1`, `.2`… suffixes), each run as the
 * command it stands for, by the clicking user, in the notification's channel: Details → `/ecs show <id>`,
 * Open ports → `/hss ports <id>`, Failed hosts → `/hss scan <task> status=failed`, Host details → the HSS
 * host view of that host, all as ephemeral replies under the read policy; Start → `/ecs start <id>` through
 * the same mutation handler as the slash command, so the policy decides (allowed, approval card, or denied)
 * and nothing is authorized because it came from a notification. The value is only an ID: the resource is
 * read again on every click (a notification can be hours old).
 */
export function createNotifyActionHandler(deps: NotifyActionDeps = {}): ActionHandler {
  const botUserId = deps.botUserId ?? (() => undefined);

  return async (action, ctx) => {
    const kind = parseNotifyActionId(action.actionId);
    const value = action.value ?? "";
    const parsed = kind === undefined ? undefined : IntentSchema.safeParse(intentOf(kind, value));
    if (
      kind === undefined ||
      parsed === undefined ||
      !parsed.success ||
      (kind === "hostDetails" && !HOST_ID_RE.test(value))
    ) {
      ctx.logger.warn({ value }, "notification button with an unknown ID or an invalid value");
      await say(
        ctx.responder,
        buildNoticeView(":grey_question:", md`This button is not valid any more. Run the command instead.`),
        ctx.logger,
      );
      return;
    }
    ctx.logger.info({ button: kind, id: value }, "notification button clicked");
    const lookup = deps.lookup ?? createCloudTargetLookup(ctx.cloud.ecs);
    const resolve = (targets: readonly Target[]) => resolveTargets(targets, lookup);
    const intent = parsed.data;

    if (kind === "serverStart") {
      await start(intent as IntentOf<"ecs.start">, action, ctx, resolve);
      return;
    }
    if (kind === "hostDetails") {
      await hostDetails(intent as ReadIntent, value, action, ctx);
      return;
    }
    await read(intent as ReadIntent, action, ctx, resolve);
  };

  async function read(
    intent: ReadIntent,
    action: ActionRequest,
    ctx: InteractionContext,
    resolve: (targets: readonly Target[]) => Promise<Resolution<Server>>,
  ): Promise<void> {
    let servers: Server[] = [];
    if (intent.type === "ecs.show" || intent.type === "hss.ports") {
      const resolution = await resolve([intent.server]);
      if (!resolution.ok) {
        await say(ctx.responder, unresolved(resolution), ctx.logger);
        return;
      }
      servers = resolution.servers;
    }
    if (!(await allowed(intent, action, servers, ctx))) return;
    const tokens = deps.tokens ?? createInteractionTokens(ctx.store);
    const token = tokens.newToken();
    const message = await runReadQuery(
      intent,
      { page: 1, controls: { token }, ...(servers[0] ? { server: servers[0] } : {}) },
      { cloud: ctx.cloud },
    );
    await tokens.saveQuery(token, { owner: action.actor.userId, intent });
    await say(ctx.responder, message, ctx.logger);
  }

  /** One host in the HSS host view (no paging or sharing: the stored query would be every host). */
  async function hostDetails(
    intent: ReadIntent,
    hostId: string,
    action: ActionRequest,
    ctx: InteractionContext,
  ): Promise<void> {
    if (!(await allowed(intent, action, [], ctx))) return;
    const listing = await ctx.cloud.hss.listHosts({ hostId });
    const hosts = listing.items.filter((h) => h.hostId === hostId);
    if (hosts.length === 0) {
      await say(
        ctx.responder,
        buildNoticeView(":grey_question:", md`HSS does not list host ${code(hostId)} any more.`),
        ctx.logger,
      );
      return;
    }
    const message = buildHssHostListView({
      hosts,
      total: hosts.length,
      page: 1,
      filters: { risk: false },
      counts: countHosts(hosts),
    });
    await say(ctx.responder, message, ctx.logger);
  }

  async function allowed(
    intent: ReadIntent,
    action: ActionRequest,
    servers: readonly Server[],
    ctx: InteractionContext,
  ): Promise<boolean> {
    if (deps.readPolicy === undefined) return true;
    const decision = await deps.readPolicy(intent, {
      request: { actor: action.actor, channelId: action.channelId ?? "" },
      servers,
    });
    if (!decision.allowed) await say(ctx.responder, decision.message, ctx.logger);
    return decision.allowed;
  }

  /** `/ecs start <id>` by the clicking user in the notification's channel, through the normal handler. */
  async function start(
    intent: IntentOf<"ecs.start">,
    action: ActionRequest,
    ctx: InteractionContext,
    resolve: (targets: readonly Target[]) => Promise<Resolution<Server>>,
  ): Promise<void> {
    const { responder, logger } = ctx;
    if (deps.mutation === undefined) {
      await say(responder, buildNotEnabledView(commandLabel(intent.type)), logger);
      return;
    }
    if (responder === undefined || action.channelId === undefined) {
      logger.warn("Start clicked outside a channel message: nowhere to run the request");
      return;
    }
    const targets = intent.targets;
    const resolution = await resolve(targets);
    if (!resolution.ok) {
      await say(responder, unresolved(resolution), logger);
      return;
    }
    const channelId = action.channelId;
    const request: RequestMeta = {
      actor: action.actor,
      channelId,
      ...(action.triggerId !== undefined && { triggerId: action.triggerId }),
      commandLine: `/ecs start ${targets.map(formatTarget).join(" ")}`,
      requestId: newReference(),
    };
    const context: MutationContext = {
      request,
      responder,
      chat: ctx.chat,
      cloud: ctx.cloud,
      store: ctx.store,
      logger,
      resolveTargets: resolve,
      replyWithError: ctx.replyWithError,
      async postToChannel(message, options) {
        try {
          return await ctx.chat.postMessage(channelId, message, options);
        } catch (error) {
          if (!(error instanceof ChatDeliveryError)) throw error;
          await say(responder, explainFailure(error, logger, botUserId()), logger);
          return undefined;
        }
      },
      servers: resolution.servers,
      origin: "command",
    };
    await deps.mutation(intent, context);
  }
}

function unresolved(resolution: Extract<Resolution<Server>, { ok: false }>): Message {
  if (resolution.failed.length > 0) return buildResolutionErrorView(resolution.failed);
  // An ID names one server; ambiguity cannot happen, but is never guessed at.
  return buildNoticeView(":grey_question:", md`The server of this button could not be identified.`);
}

/** Ephemeral to the clicking user; a failed reply is logged, never thrown. */
async function say(responder: Responder | undefined, message: Message, logger: Logger): Promise<void> {
  if (responder === undefined) {
    logger.warn("interaction without a response_url: nothing to reply to");
    return;
  }
  try {
    await responder.respond(message);
  } catch (error) {
    logger.warn({ err: error }, "could not reply to the requester");
  }
}
