import { ChatDeliveryError, type ChatPort, type Responder } from "../app/ports.js";
import type { CloudClient, Server } from "../cloud/types.js";
import {
  type DescribePolicy,
  helpFor,
  type Intent,
  isMutation,
  redactSecrets,
  type Target,
} from "../intents/index.js";
import type { Logger } from "../log/create-logger.js";
import type { CommandOutcome, Metrics } from "../metrics/metrics.js";
import type { Message } from "../render/message-model.js";
import { md } from "../render/message-model.js";
import type { Store } from "../store/store.js";
import { createSuggestingTargetLookup } from "../targets/create-cloud-target-lookup.js";
import { nameMatchingFor } from "../targets/name-matching-for.js";
import { targetsOf } from "../targets/replace-target.js";
import { resolveTargets } from "../targets/resolve-targets.js";
import type { NameMatching, Resolution, TargetLookup } from "../targets/types.js";
import { VIEW_ACTIONS } from "../views/action-ids.js";
import { buildAmbiguityView } from "../views/build-ambiguity-view.js";
import { buildHelpView } from "../views/build-help-view.js";
import { buildNotEnabledView, buildNoticeView } from "../views/build-notice-view.js";
import { buildPendingView, type PendingWork } from "../views/build-pending-view.js";
import { buildPrefixMatchNotes, withNotes } from "../views/build-prefix-match-notes.js";
import { buildResolutionErrorView } from "../views/build-resolution-error-view.js";
import { commandLabel } from "./command-label.js";
import { createInteractionTokens, type InteractionTokens } from "./create-interaction-tokens.js";
import { createPendingChoices } from "./create-pending-choices.js";
import {
  createPendingReply,
  DEFAULT_PLACEHOLDER_DELAY_MS,
  type Scheduler,
  systemScheduler,
} from "./create-pending-reply.js";
import { createPrefixRegistry } from "./create-prefix-registry.js";
import { explainFailure, newReference } from "./explain-failure.js";
import { createPageActionHandler, createShareActionHandler } from "./handle-result-actions.js";
import { pendingWorkOf } from "./pending-work-of.js";
import { createListingCache, type ListingCache } from "./read/create-listing-cache.js";
import type { ReadDeps } from "./read/read-options.js";
import { isReadIntent } from "./read/run-read-query.js";
import { replyToRequester } from "./reply-to-requester.js";
import { runReadCommand } from "./run-read-command.js";
import type {
  ActionHandler,
  ActionRequest,
  CommandHandlers,
  CommandRequest,
  HandlerContext,
  InteractionContext,
  OpsIntent,
  RequestMeta,
  ViewHandler,
  ViewSubmission,
} from "./types.js";
import { isMutationIntent, understandCommand } from "./understand-command.js";

export interface CommandRouterDeps {
  cloud: CloudClient;
  chat: ChatPort;
  /** Shared state: tokens behind buttons and menus live here (with a TTL). */
  store: Store;
  logger: Logger;
  /** The bot's display name, for `/invite @name` hints. Default `hwc-chatops`. */
  botName?: string;
  /** Extension points: mutations, `/ops`, read policy, live policy in help. */
  handlers?: CommandHandlers;
  /** Target lookups; default: ECS through `cloud`. */
  lookup?: TargetLookup<Server>;
  tokens?: InteractionTokens;
  /**
   * When a request has not answered after `delayMs` (default 300 ms), a placeholder says what it is doing
   * ("⏳ Looking up web-04…") until the answer replaces it. Timers from `scheduler` (default real timers).
   */
  placeholder?: { delayMs?: number; scheduler?: Scheduler };
  /** Commands by verb (intent type) and outcome; default none recorded. */
  metrics?: Pick<Metrics, "command">;
  /** `/ecs list` listings shared by commands with the same filters; default: reused for 5 s. */
  listings?: ListingCache;
}

/**
 * The middle of the bot: everything between a chat listener's ack and the reply. Parses, resolves
 * targets (ambiguity → a menu for the requester), routes to the read-only queries or to the plugged-in
 * mutation/ops handlers, and turns every failure into a message. The `handle*` methods never throw.
 */
export interface CommandRouter {
  handleCommand(request: CommandRequest, responder: Responder): Promise<void>;
  handleAction(action: ActionRequest, responder: Responder | undefined): Promise<void>;
  /** Runs before the ack of a modal submission: errors keep the modal open. Fast and pure. */
  validateView(submission: ViewSubmission): Record<string, string> | undefined;
  handleView(submission: ViewSubmission): Promise<void>;
  /** Handles clicks whose action ID is `prefix` or starts with `prefix.`. Throws if taken. */
  registerAction(prefix: string, handler: ActionHandler): void;
  /** Handles modal submissions whose callback ID is exactly `callbackId`. Throws if taken. */
  registerView(callbackId: string, handler: ViewHandler): void;
  /**
   * Starts what later commands benefit from (the fleet's names for "did you mean"), once the bot runs: not
   * at construction, so a start that fails on Slack never reads the fleet.
   */
  warmUp(): void;
}

function isOpsIntent(intent: Intent): intent is OpsIntent {
  return intent.type.startsWith("ops.");
}

export function createCommandRouter(deps: CommandRouterDeps): CommandRouter {
  const botName = deps.botName ?? "hwc-chatops";
  const handlers = deps.handlers ?? {};
  const { lookup, warmUp } =
    deps.lookup !== undefined
      ? { lookup: deps.lookup, warmUp: () => {} }
      : createSuggestingTargetLookup(deps.cloud.ecs, (error) =>
          deps.logger.warn({ err: error }, "could not list server names for suggestions"),
        );
  const tokens = deps.tokens ?? createInteractionTokens(deps.store);
  const placeholderDelayMs = deps.placeholder?.delayMs ?? DEFAULT_PLACEHOLDER_DELAY_MS;
  const scheduler = deps.placeholder?.scheduler ?? systemScheduler;
  const pendingReply = (
    responder: Responder,
    work: PendingWork,
    logger: Logger,
    mode: "new" | "replace-original",
  ) =>
    createPendingReply(responder, {
      placeholder: buildPendingView(work),
      delayMs: placeholderDelayMs,
      scheduler,
      logger,
      mode,
    });
  const actions = createPrefixRegistry<ActionHandler>("action");
  // Modal callback IDs match exactly: a modal is not a family of IDs (see create-prefix-registry.ts).
  const views = createPrefixRegistry<ViewHandler>("view", { exact: true });
  const resolve = (targets: readonly Target[], names: NameMatching): Promise<Resolution<Server>> =>
    resolveTargets(targets, lookup, { names });
  const readDeps: ReadDeps = {
    cloud: deps.cloud,
    listings: deps.listings ?? createListingCache(),
    ...(handlers.auditTrail !== undefined && { auditTrail: handlers.auditTrail }),
  };

  const reply = replyToRequester;
  const choices = createPendingChoices({
    tokens,
    handlers,
    runChosen: (intent, request, responder, logger) => runIntent(intent, request, responder, logger, "pick"),
  });

  function handlerContext(request: RequestMeta, responder: Responder, logger: Logger): HandlerContext {
    return {
      request,
      responder,
      chat: deps.chat,
      cloud: deps.cloud,
      store: deps.store,
      logger,
      resolveTargets: resolve,
      replyWithError: (error) => reply(responder, explainFailure(error, logger, botName), logger),
      async postToChannel(message, options) {
        try {
          return await deps.chat.postMessage(request.channelId, message, options);
        } catch (error) {
          if (!(error instanceof ChatDeliveryError)) throw error;
          await reply(responder, explainFailure(error, logger, botName), logger);
          return undefined;
        }
      },
    };
  }

  function interactionContext(responder: Responder | undefined, logger: Logger): InteractionContext {
    return {
      responder,
      chat: deps.chat,
      cloud: deps.cloud,
      store: deps.store,
      logger,
      replyWithError: async (error) => {
        const message = explainFailure(error, logger, botName);
        if (responder === undefined) logger.warn("failure with no response_url to explain it on");
        await reply(responder, message, logger);
      },
    };
  }

  async function describePolicy(request: RequestMeta, logger: Logger): Promise<DescribePolicy | undefined> {
    if (handlers.describePolicy === undefined) return undefined;
    try {
      return await handlers.describePolicy(request);
    } catch (error) {
      // Help must render without the live policy.
      logger.warn({ err: error }, "could not describe the policy for help");
      return undefined;
    }
  }

  /** Runs a parsed intent: help, ops, target resolution, then a mutation handler or a read query. */
  async function runIntent(
    intent: Intent,
    request: RequestMeta,
    responder: Responder,
    logger: Logger,
    origin: "command" | "pick",
  ): Promise<void> {
    const replyOptions = origin === "pick" ? { replaceOriginal: true } : undefined;
    const ctx = handlerContext(request, responder, logger);

    if (intent.type === "help") {
      const help = helpFor(intent.topic, await describePolicy(request, logger));
      await reply(responder, buildHelpView(help), logger, replyOptions);
      return;
    }
    if (isOpsIntent(intent)) {
      if (handlers.ops === undefined) {
        await reply(responder, buildNotEnabledView(commandLabel(intent.type)), logger, replyOptions);
        return;
      }
      await handlers.ops(intent, ctx);
      return;
    }
    const mutation = isMutationIntent(intent);
    if (mutation && handlers.mutation === undefined) {
      await reply(responder, buildNotEnabledView(commandLabel(intent.type)), logger, replyOptions);
      return;
    }

    let servers: Server[] = [];
    let prefixNotes: Message["blocks"] = [];
    const targets = targetsOf(intent);
    if (targets.length > 0) {
      // A command that changes servers acts only on exact names; a read may take a unique prefix.
      const resolution = await resolve(targets, nameMatchingFor(intent));
      if (!resolution.ok) {
        if (resolution.failed.length > 0) {
          logger.info({ failed: resolution.failed.map((f) => f.kind) }, "targets not resolved");
          const offer = mutation ? await choices.offerNames(resolution.failed, intent, request) : undefined;
          await reply(responder, buildResolutionErrorView(resolution.failed, offer), logger, replyOptions);
          return;
        }
        const first = resolution.ambiguous[0];
        if (first === undefined) throw new Error("unresolved targets without a reason");
        const token = await choices.offerCandidates(first, intent, request);
        logger.info({ candidates: first.candidates.length }, "ambiguous target: asking the requester");
        await reply(
          responder,
          buildAmbiguityView({
            target: first.target,
            rule: first.rule,
            candidates: first.candidates,
            token,
            commandLabel: commandLabel(intent.type),
            mutating: isMutation(intent),
          }),
          logger,
          replyOptions,
        );
        return;
      }
      servers = resolution.servers;
      prefixNotes = buildPrefixMatchNotes(resolution.outcomes);
    }

    if (mutation) {
      // Checked above; repeated for the type checker.
      if (handlers.mutation === undefined) return;
      await handlers.mutation(intent, { ...ctx, servers, origin });
      return;
    }
    if (!isReadIntent(intent)) throw new Error(`no route for intent ${(intent as Intent).type}`);

    const read = await runReadCommand(intent, servers, request, logger, {
      chat: deps.chat,
      tokens,
      readDeps,
      offerServerActions: choices.offerServerActions,
      ...(handlers.readPolicy !== undefined && { readPolicy: handlers.readPolicy }),
    });
    const message = read.allowed ? withNotes(read.message, prefixNotes) : read.message;
    await reply(responder, message, logger, replyOptions);
  }

  const resultDeps = {
    cloud: deps.cloud,
    ...(handlers.auditTrail !== undefined && { auditTrail: handlers.auditTrail }),
    tokens,
    botName,
    ...(handlers.readPolicy ? { readPolicy: handlers.readPolicy } : {}),
  };
  actions.register(VIEW_ACTIONS.page, createPageActionHandler(resultDeps));
  actions.register(VIEW_ACTIONS.share, createShareActionHandler(resultDeps));
  actions.register(VIEW_ACTIONS.pick, choices.pick);
  actions.register(VIEW_ACTIONS.suggest, choices.suggest);
  actions.register(VIEW_ACTIONS.act, choices.act);
  const ownResultActions: readonly string[] = [VIEW_ACTIONS.page, VIEW_ACTIONS.pick, VIEW_ACTIONS.suggest];

  return {
    async handleCommand(request, responder) {
      const requestId = newReference();
      const logger = deps.logger.child({
        req: requestId,
        user: request.actor.userId,
        channel: request.channelId,
        command: request.command,
      });
      // A password typed by mistake (refused by the grammar) must not reach the logs either.
      logger.info({ text: redactSecrets(request.text) }, "command received");
      let verb = "unparsed";
      let outcome: CommandOutcome = "failed";
      try {
        const understood = understandCommand(request, requestId);
        if (!understood.ok) {
          verb = understood.verb;
          outcome = "not_understood";
          if (understood.parseErrorCode !== undefined)
            logger.info({ code: understood.parseErrorCode }, "command not understood");
          await reply(responder, understood.message, logger);
          return;
        }
        const { intent, meta } = understood;
        verb = intent.type;
        if (meta.breakGlass !== undefined) logger.info("break-glass requested");
        if (intent.type === "help") {
          await runIntent(intent, meta, responder, logger, "command");
          outcome = "handled";
          return;
        }
        // Anything that may wait for the cloud or the store says what it is doing within a second.
        const pending = pendingReply(responder, pendingWorkOf(intent), logger, "new");
        try {
          await runIntent(intent, meta, pending.responder, logger, "command");
          outcome = "handled";
        } catch (error) {
          await reply(pending.responder, explainFailure(error, logger, botName), logger);
        } finally {
          await pending.finish();
        }
      } catch (error) {
        await reply(responder, explainFailure(error, logger, botName), logger);
      } finally {
        deps.metrics?.command(verb, outcome);
      }
    },

    async handleAction(action, responder) {
      const logger = deps.logger.child({
        req: newReference(),
        user: action.actor.userId,
        channel: action.channelId,
        action: action.actionId,
      });
      // A click on the bot's own private result (a page, a choice) that waits for the cloud shows a
      // placeholder in its place; other clicks answer from the store and Slack alone.
      const found = actions.find(action.actionId);
      const pending =
        responder !== undefined && found !== undefined && ownResultActions.includes(found.prefix)
          ? pendingReply(responder, { kind: "working" }, logger, "replace-original")
          : undefined;
      const ctx = interactionContext(pending?.responder ?? responder, logger);
      if (found === undefined) {
        logger.warn("no handler registered for this action");
        await reply(
          responder,
          buildNoticeView(":grey_question:", md`This button is not handled by this deployment of the bot.`),
          logger,
        );
        return;
      }
      try {
        await found.handler(action, ctx);
      } catch (error) {
        await ctx.replyWithError(error);
      } finally {
        await pending?.finish();
      }
    },

    validateView(submission) {
      const found = views.find(submission.callbackId);
      if (found?.handler.validate === undefined) return undefined;
      try {
        return found.handler.validate(submission);
      } catch (error) {
        deps.logger.error({ err: error, callbackId: submission.callbackId }, "view validation failed");
        return undefined;
      }
    },

    async handleView(submission) {
      const logger = deps.logger.child({
        req: newReference(),
        user: submission.actor.userId,
        view: submission.callbackId,
      });
      const found = views.find(submission.callbackId);
      if (found === undefined) {
        logger.warn("no handler registered for this modal");
        return;
      }
      const ctx = interactionContext(undefined, logger);
      try {
        await found.handler.handle(submission, ctx);
      } catch (error) {
        await ctx.replyWithError(error);
      }
    },

    registerAction: (prefix, handler) => actions.register(prefix, handler),
    registerView: (prefix, handler) => views.register(prefix, handler),
    warmUp,
  };
}
