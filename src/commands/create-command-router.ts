import type { ChatPort, Responder } from "../app/ports.js";
import type { CloudClient, Server } from "../cloud/types.js";
import { carriesKnownSecret, type Intent, intentAction, redactSecrets } from "../intents/index.js";
import type { Logger } from "../log/create-logger.js";
import type { CommandOutcome, Metrics } from "../metrics/metrics.js";
import { type Message, md } from "../render/message-model.js";
import type { Store } from "../store/store.js";
import { createSuggestingTargetLookup } from "../targets/create-cloud-target-lookup.js";
import type { TargetLookup } from "../targets/types.js";
import { VIEW_ACTIONS } from "../views/action-ids.js";
import { buildNoticeView, buildOwnSecretRefusedView } from "../views/build-notice-view.js";
import { buildPendingView, type PendingWork } from "../views/build-pending-view.js";
import { createIntentRunner } from "./create-intent-runner.js";
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
import { replyToRequester } from "./reply-to-requester.js";
import type {
  ActionHandler,
  ActionRequest,
  CommandHandlers,
  CommandRequest,
  InteractionContext,
  OpsIntent,
  RequestMeta,
  ViewHandler,
  ViewSubmission,
} from "./types.js";
import { understandCommand } from "./understand-command.js";

export interface CommandRouterDeps {
  /** The bot's own secrets (tokens, signing secret, the cloud's keys): masked in the command text it logs. */
  secretValues?: readonly string[];
  cloud: CloudClient;
  chat: ChatPort;
  /** Shared state: tokens behind buttons and menus live here (with a TTL). */
  store: Store;
  logger: Logger;
  /**
   * The bot's Slack user ID, for `/invite` hints: asked when a failure is explained, since it is known only once
   * the bot has started (`auth.test`); absent or undefined, the hints name the app's manifest name.
   */
  botUserId?: () => string | undefined;
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
  /**
   * `/ecs list` and `/hss hosts` listings shared by commands with the same filters and by the page clicks of
   * their answers; default: reused for 5 s (30 s under a burst).
   */
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

/**
 * `/ops` commands decided elsewhere: `schedule add` is a request of its own, allowed or approved
 * (`ops:schedule:create`, `addSchedule`); `schedule pause|resume|delete` are decided and audited, refusals
 * included, by the schedules (`ops:schedule:update`, `changeSchedule`).
 */
const OPS_DECIDED_ELSEWHERE: ReadonlySet<string> = new Set([
  "ops.schedule.add",
  "ops.schedule.pause",
  "ops.schedule.resume",
  "ops.schedule.delete",
]);

/** Help and the `/ops` commands the read policy decides before they run. */
function isDecidedAsRead(intent: Intent): intent is OpsIntent | Extract<Intent, { type: "help" }> {
  if (intent.type === "help") return true;
  return intent.type.startsWith("ops.") && !OPS_DECIDED_ELSEWHERE.has(intent.type);
}

export function createCommandRouter(deps: CommandRouterDeps): CommandRouter {
  const botUserId = deps.botUserId ?? (() => undefined);
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
  const reply = replyToRequester;
  const choices = createPendingChoices({
    tokens,
    handlers,
    runChosen: (intent, request, responder, logger) => runIntent(intent, request, responder, logger, "pick"),
  });
  // One for commands and page clicks of both `/ecs list` and `/hss hosts`: a click on a list whose snapshot
  // has expired lists again, and a burst of such clicks shares one listing with the commands instead of each
  // listing the fleet.
  const listings = deps.listings ?? createListingCache();
  const runIntent = createIntentRunner(deps, { botUserId, handlers, lookup, tokens, choices, listings });

  /**
   * Help and the `/ops` commands that answer at once are decided like `/ecs` reads (by the read policy, with
   * no servers, before anything is read), so a rule decides every one of them: deny by default. The refusal,
   * or undefined when allowed (or when no read policy is plugged in). `/ecs` and `/hss` reads are asked in
   * `runReadCommand`, after their servers are resolved.
   */
  async function askReadPolicy(intent: Intent, request: RequestMeta): Promise<Message | undefined> {
    if (handlers.readPolicy === undefined || !isDecidedAsRead(intent)) return undefined;
    const decision = await handlers.readPolicy(intent, { request, servers: [], chat: deps.chat });
    return decision.allowed ? undefined : decision.message;
  }

  function interactionContext(responder: Responder | undefined, logger: Logger): InteractionContext {
    return {
      responder,
      chat: deps.chat,
      cloud: deps.cloud,
      store: deps.store,
      logger,
      replyWithError: async (error) => {
        const message = explainFailure(error, logger, botUserId());
        if (responder === undefined) logger.warn("failure with no response_url to explain it on");
        await reply(responder, message, logger);
      },
    };
  }

  const resultDeps = {
    cloud: deps.cloud,
    listings,
    ...(handlers.auditTrail !== undefined && { auditTrail: handlers.auditTrail }),
    tokens,
    botUserId,
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
      logger.info({ text: redactSecrets(request.text, deps.secretValues) }, "command received");
      let verb = "unparsed";
      let outcome: CommandOutcome = "failed";
      try {
        // The bot's own secret in a command would reach its card, the audit, a tag: nothing is done with it.
        if (carriesKnownSecret(request.text, deps.secretValues)) {
          outcome = "not_understood";
          await reply(responder, buildOwnSecretRefusedView(), logger);
          return;
        }
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
        const refusal = await askReadPolicy(intent, meta);
        if (refusal !== undefined) {
          logger.info({ action: intentAction(intent) }, "refused by the read policy");
          outcome = "handled";
          await reply(responder, refusal, logger);
          return;
        }
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
          await reply(pending.responder, explainFailure(error, logger, botUserId()), logger);
        } finally {
          await pending.finish();
        }
      } catch (error) {
        await reply(responder, explainFailure(error, logger, botUserId()), logger);
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
