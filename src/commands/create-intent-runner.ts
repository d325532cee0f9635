/**
 * The run of a parsed intent, between the router's entry points and the answer: help, ops, the resolution of
 * its targets (a failure or an ambiguity answers the requester, with the choices it can offer), then a
 * mutation handler or a read query, and the context those handlers get. Made once per router.
 */
import { ChatDeliveryError, type Responder } from "../app/ports.js";
import type { Server } from "../cloud/types.js";
import { type DescribePolicy, helpFor, type Intent, isMutation, type Target } from "../intents/index.js";
import type { Logger } from "../log/create-logger.js";
import type { Message } from "../render/message-model.js";
import { nameMatchingFor } from "../targets/name-matching-for.js";
import { targetsOf } from "../targets/replace-target.js";
import { resolveTargets } from "../targets/resolve-targets.js";
import type { NameMatching, Resolution, TargetLookup } from "../targets/types.js";
import { buildAmbiguityView } from "../views/build-ambiguity-view.js";
import { buildHelpView } from "../views/build-help-view.js";
import { buildNotEnabledView } from "../views/build-notice-view.js";
import { buildPrefixMatchNotes, withNotes } from "../views/build-prefix-match-notes.js";
import { buildResolutionErrorView } from "../views/build-resolution-error-view.js";
import { commandLabel } from "./command-label.js";
import type { CommandRouterDeps } from "./create-command-router.js";
import type { InteractionTokens } from "./create-interaction-tokens.js";
import type { PendingChoices } from "./create-pending-choices.js";
import { explainFailure, nothingRequested, onlyRead } from "./explain-failure.js";
import type { ListingCache } from "./read/create-listing-cache.js";
import type { ReadDeps } from "./read/read-options.js";
import { isReadIntent } from "./read/run-read-query.js";
import { replyToRequester } from "./reply-to-requester.js";
import { runReadCommand } from "./run-read-command.js";
import type { CommandHandlers, HandlerContext, OpsIntent, RequestMeta } from "./types.js";
import { isMutationIntent } from "./understand-command.js";

/** What the router has made of its deps (defaults applied) that a run of an intent uses. */
export interface IntentRunnerWiring {
  /** The bot's Slack user ID (once known), for `/invite` hints in explained failures. */
  botUserId: () => string | undefined;
  handlers: CommandHandlers;
  lookup: TargetLookup<Server>;
  tokens: InteractionTokens;
  /** The requester's choices a run offers (an ambiguous or unknown target, a server's actions). */
  choices: PendingChoices;
  /** `/ecs list` and `/hss hosts` listings, shared with the page clicks of their answers. */
  listings: ListingCache;
}

/**
 * Runs a parsed intent for its requester: help, ops, target resolution, then a mutation handler or a read
 * query. Answers through `responder`; `origin` "pick" (the intent continues a choice) replaces the menu.
 * Throws what a handler throws and on an intent with no route: the caller explains the failure.
 */
export type RunIntent = (
  intent: Intent,
  request: RequestMeta,
  responder: Responder,
  logger: Logger,
  origin: "command" | "pick",
) => Promise<void>;

function isOpsIntent(intent: Intent): intent is OpsIntent {
  return intent.type.startsWith("ops.");
}

/**
 * Creates the runner of intents, with what every run shares (the target resolution, the read deps). Called
 * once, by `createCommandRouter`; the choices it offers lead back to it for the intent they continue.
 */
export function createIntentRunner(deps: CommandRouterDeps, wiring: IntentRunnerWiring): RunIntent {
  const { botUserId, handlers, lookup, tokens, choices, listings } = wiring;
  const resolve = (targets: readonly Target[], names: NameMatching): Promise<Resolution<Server>> =>
    resolveTargets(targets, lookup, { names });
  const readDeps: ReadDeps = {
    cloud: deps.cloud,
    listings,
    ...(handlers.auditTrail !== undefined && { auditTrail: handlers.auditTrail }),
  };

  const reply = replyToRequester;

  function handlerContext(request: RequestMeta, responder: Responder, logger: Logger): HandlerContext {
    return {
      request,
      responder,
      chat: deps.chat,
      cloud: deps.cloud,
      store: deps.store,
      logger,
      resolveTargets: resolve,
      replyWithError: (error) => reply(responder, explainFailure(error, logger, botUserId()), logger),
      async postToChannel(message, options) {
        try {
          return await deps.chat.postMessage(request.channelId, message, options);
        } catch (error) {
          if (!(error instanceof ChatDeliveryError)) throw error;
          await reply(responder, explainFailure(error, logger, botUserId()), logger);
          return undefined;
        }
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
      const resolution = await resolve(targets, nameMatchingFor(intent)).catch((error: unknown) => {
        // A change command whose servers could not be looked up requested nothing: its explanation says so.
        throw mutation ? nothingRequested(error) : onlyRead(error);
      });
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

    // A read changes no server, whatever fails in it: its explanation may say so.
    try {
      const read = await runReadCommand(intent, servers, request, logger, {
        chat: deps.chat,
        tokens,
        readDeps,
        offerServerActions: choices.offerServerActions,
        ...(handlers.readPolicy !== undefined && { readPolicy: handlers.readPolicy }),
      });
      const message = read.allowed ? withNotes(read.message, prefixNotes) : read.message;
      await reply(responder, message, logger, replyOptions);
    } catch (error) {
      throw onlyRead(error);
    }
  }

  return runIntent;
}
