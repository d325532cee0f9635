import { ChatDeliveryError, type ChatPort, type Responder } from "../app/ports.js";
import { readGroupsOnce } from "../app/read-groups-once.js";
import type { CloudClient, Server } from "../cloud/types.js";
import { extractBreakGlass } from "../intents/extract-break-glass.js";
import {
  type DescribePolicy,
  formatCommandLine,
  helpFor,
  type Intent,
  type IntentAction,
  intentAction,
  isMutation,
  MUTATING_ACTIONS,
  parseIntent,
  redactSecrets,
  type Target,
} from "../intents/index.js";
import type { Logger } from "../log/create-logger.js";
import type { CommandOutcome, Metrics } from "../metrics/metrics.js";
import type { Message } from "../render/message-model.js";
import { code, md, type Span } from "../render/message-model.js";
import { takeScheduleFlags } from "../schedule/take-schedule-flags.js";
import type { Store } from "../store/store.js";
import { createCloudTargetLookup } from "../targets/create-cloud-target-lookup.js";
import { createFleetNameIndex } from "../targets/create-fleet-name-index.js";
import { nameMatchingFor } from "../targets/name-matching-for.js";
import { replaceTarget, targetsOf } from "../targets/replace-target.js";
import { resolveTargets } from "../targets/resolve-targets.js";
import type { NameMatching, Resolution, TargetLookup } from "../targets/types.js";
import { actionsForStatus, SERVER_ACTIONS, type ServerAction, VIEW_ACTIONS } from "../views/action-ids.js";
import { buildAmbiguityView } from "../views/build-ambiguity-view.js";
import { buildHelpView } from "../views/build-help-view.js";
import {
  buildExpiredView,
  buildNotEnabledView,
  buildNoticeView,
  buildNotYoursView,
} from "../views/build-notice-view.js";
import { DEFAULT_PAGE_SIZE } from "../views/build-paged-list.js";
import { buildParseErrorView } from "../views/build-parse-error-view.js";
import { buildPendingView, type PendingWork } from "../views/build-pending-view.js";
import { buildPrefixMatchNotes, withNotes } from "../views/build-prefix-match-notes.js";
import { buildResolutionErrorView, type NameOffer } from "../views/build-resolution-error-view.js";
import { commandLabel } from "./command-label.js";
import {
  createInteractionTokens,
  type InteractionTokens,
  type StoredPick,
} from "./create-interaction-tokens.js";
import {
  createPendingReply,
  DEFAULT_PLACEHOLDER_DELAY_MS,
  type Scheduler,
  systemScheduler,
} from "./create-pending-reply.js";
import { createPrefixRegistry } from "./create-prefix-registry.js";
import { explainFailure, newReference } from "./explain-failure.js";
import { createPageActionHandler, createShareActionHandler } from "./handle-result-actions.js";
import { createListingCache, type ListingCache } from "./read/create-listing-cache.js";
import type { ListSnapshot, ReadDeps, ReadOptions } from "./read/read-options.js";
import { isReadIntent, isShareable, runReadQuery } from "./read/run-read-query.js";
import type {
  ActionHandler,
  ActionRequest,
  CommandHandlers,
  CommandRequest,
  HandlerContext,
  InteractionContext,
  MutationIntent,
  OpsIntent,
  ReadIntent,
  RequestMeta,
  ViewHandler,
  ViewSubmission,
} from "./types.js";

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

/** Commands whose action changes servers go to the mutation handler (a `resize --dry-run` included). */
function isMutationIntent(intent: Intent): intent is MutationIntent {
  return (MUTATING_ACTIONS as readonly IntentAction[]).includes(intentAction(intent));
}

function isOpsIntent(intent: Intent): intent is OpsIntent {
  return intent.type.startsWith("ops.");
}

/** What the placeholder of a command says it is doing, from what was typed. */
function pendingWorkOf(intent: Intent): PendingWork {
  const targets = targetsOf(intent);
  const [only] = targets;
  if (isMutationIntent(intent) && targets.length > 0) return { kind: "check", targets };
  if (targets.length === 1 && only !== undefined) return { kind: "lookup", target: only };
  if (targets.length > 1) return { kind: "check", targets };
  if (intent.type === "ecs.list" || intent.type === "hss.hosts") return { kind: "list" };
  return { kind: "working" };
}

/** The read intent with its server reference replaced by the resolved ID (what buttons replay). */
function resolvedReadIntent(intent: ReadIntent, servers: readonly Server[]): ReadIntent {
  const server = servers[0];
  if ("server" in intent && intent.server !== undefined && server !== undefined) {
    return { ...intent, server: { kind: "id", id: server.id } } as ReadIntent;
  }
  return intent;
}

/**
 * Targets resolved with the cloud's filters; "did you mean" names from a fleet index listed in the background
 * from the bot's start (`warmUp`, so the first miss already has them), never by the command that missed.
 */
function cloudLookup(deps: CommandRouterDeps): { lookup: TargetLookup<Server>; warmUp: () => void } {
  const onError = (error: unknown) =>
    deps.logger.warn({ err: error }, "could not list server names for suggestions");
  const names = createFleetNameIndex({ list: () => deps.cloud.ecs.listServers(), onError });
  return {
    lookup: createCloudTargetLookup(deps.cloud.ecs, { names }),
    warmUp: () => {
      names.refresh().catch(onError);
    },
  };
}

/** The command an offered power action runs: on exactly one server, by ID, soft (`--hard` is for typing). */
function serverActionIntent(action: ServerAction, serverId: string): MutationIntent {
  const targets: Target[] = [{ kind: "id", id: serverId }];
  if (action === "start") return { type: "ecs.start", targets };
  return { type: action === "stop" ? "ecs.stop" : "ecs.reboot", targets, hard: false };
}

export function createCommandRouter(deps: CommandRouterDeps): CommandRouter {
  const botName = deps.botName ?? "hwc-chatops";
  const handlers = deps.handlers ?? {};
  const { lookup, warmUp } =
    deps.lookup !== undefined ? { lookup: deps.lookup, warmUp: () => {} } : cloudLookup(deps);
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

  async function reply(
    responder: Responder | undefined,
    message: Message,
    logger: Logger,
    options?: { inChannel?: boolean; replaceOriginal?: boolean },
  ): Promise<void> {
    if (responder === undefined) return;
    try {
      await responder.respond(message, options);
    } catch (error) {
      logger.warn({ err: error }, "could not reply to the requester");
    }
  }

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
          const offer = mutation ? await offerNames(resolution.failed, intent, request) : undefined;
          await reply(responder, buildResolutionErrorView(resolution.failed, offer), logger, replyOptions);
          return;
        }
        const first = resolution.ambiguous[0];
        if (first === undefined) throw new Error("unresolved targets without a reason");
        const token = tokens.newToken();
        const { triggerId: _trigger, ...stored } = request;
        await tokens.savePick(token, {
          owner: request.actor.userId,
          request: stored,
          intent,
          target: first.target,
          candidateIds: first.candidates.map((c) => c.id),
        });
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

    const resolved = resolvedReadIntent(intent, servers);
    // The read policy and the offered actions ask about the same person at the same moment: one read.
    const chat = readGroupsOnce(deps.chat);
    if (handlers.readPolicy !== undefined) {
      const decision = await handlers.readPolicy(resolved, { request, servers, chat });
      if (!decision.allowed) {
        await reply(responder, decision.message, logger, replyOptions);
        return;
      }
    }
    // A private read (a console log) gets no buttons and leaves no stored query behind to replay.
    const token = isShareable(resolved) ? tokens.newToken() : undefined;
    let snapshot: ListSnapshot | undefined;
    const offer = await offerServerActions(resolved, servers, request, chat, logger);
    const message = await runReadQuery(
      resolved,
      {
        page: 1,
        ...(token !== undefined && {
          controls: { token },
          keepSnapshot: (s: ListSnapshot) => {
            snapshot = s;
          },
        }),
        ...(servers[0] ? { server: servers[0] } : {}),
        ...(offer !== undefined && { offer }),
      },
      readDeps,
    );
    if (token !== undefined) {
      await tokens.saveQuery(token, { owner: request.actor.userId, intent: resolved });
      // A single page needs no clicks to serve.
      if (snapshot !== undefined && snapshot.ids.length > DEFAULT_PAGE_SIZE)
        await tokens.saveSnapshot(token, snapshot);
    }
    await reply(responder, withNotes(message, prefixNotes), logger, replyOptions);
  }

  /**
   * `/ecs show`: the power actions that fit the server's state and that the policy does not deny for this
   * requester, saved as a pending choice so a button runs one as the requester's command. Never fails the
   * read: without an answer from the policy nothing is offered.
   */
  async function offerServerActions(
    intent: ReadIntent,
    servers: readonly Server[],
    request: RequestMeta,
    chat: ChatPort,
    logger: Logger,
  ): Promise<ReadOptions["offer"]> {
    const server = servers[0];
    if (intent.type !== "ecs.show" || server === undefined) return undefined;
    if (handlers.mutation === undefined || handlers.offerActions === undefined) return undefined;
    const candidates = actionsForStatus(server.status);
    if (candidates.length === 0) return undefined;
    let offered: ServerAction[];
    try {
      const allowed = await handlers.offerActions(
        candidates.map((action) => serverActionIntent(action, server.id)),
        { request, servers: [server], chat },
      );
      const types = new Set(allowed.map((i) => i.type));
      offered = candidates.filter((action) => types.has(`ecs.${action}`));
    } catch (error) {
      logger.warn({ err: error }, "could not ask the policy which actions to offer");
      return undefined;
    }
    if (offered.length === 0) return undefined;
    const token = tokens.newToken();
    const { triggerId: _trigger, ...stored } = request;
    await tokens.savePick(token, {
      owner: request.actor.userId,
      request: stored,
      intent,
      target: { kind: "id", id: server.id },
      candidateIds: [],
      offeredActions: offered,
    });
    return { token, actions: offered };
  }

  /**
   * For a command that changes servers and named one that does not exist: the exact names the requester
   * may have meant, saved with the command so a button can run it again with one of them.
   */
  async function offerNames(
    failed: Extract<Resolution<Server>, { ok: false }>["failed"],
    intent: Intent,
    request: RequestMeta,
  ): Promise<NameOffer | undefined> {
    const miss = failed.find(
      (f) => f.kind === "not_found" && f.target.kind === "name" && f.suggestions.length > 0,
    );
    if (miss === undefined || miss.kind !== "not_found") return undefined;
    const token = tokens.newToken();
    const { triggerId: _trigger, ...stored } = request;
    await tokens.savePick(token, {
      owner: request.actor.userId,
      request: stored,
      intent,
      target: miss.target,
      candidateIds: [],
      candidateNames: miss.suggestions,
    });
    return { target: miss.target, names: miss.suggestions, token, commandLabel: commandLabel(intent.type) };
  }

  /**
   * Continues a command waiting for its requester's choice. `choose` turns the stored command and the
   * clicked value into the command to run (undefined: the value is not one of the offered choices).
   */
  async function continuePending(
    action: ActionRequest,
    ctx: InteractionContext,
    choose: (pending: StoredPick, choice: string) => { intent: Intent; chosen: Span[] } | undefined,
  ): Promise<void> {
    const value = action.value ?? "";
    const split = value.lastIndexOf(":");
    const token = split > 0 ? value.slice(0, split) : "";
    const choice = split > 0 ? value.slice(split + 1) : "";
    const pending = await tokens.peekPick(token);
    if (pending === undefined) {
      await reply(ctx.responder, buildExpiredView(), ctx.logger, { replaceOriginal: true });
      return;
    }
    if (pending.owner !== action.actor.userId) {
      ctx.logger.warn({ owner: pending.owner }, "a pending choice answered by someone else");
      await reply(ctx.responder, buildNotYoursView(), ctx.logger);
      return;
    }
    if (choose(pending, choice) === undefined) {
      ctx.logger.warn({ choice }, "choice is not one of the offered ones");
      await reply(ctx.responder, buildExpiredView(), ctx.logger, { replaceOriginal: true });
      return;
    }
    const taken = await tokens.takePick(token);
    const next = taken === undefined ? undefined : choose(taken, choice);
    if (taken === undefined || next === undefined) {
      await reply(
        ctx.responder,
        buildNoticeView(
          ":hourglass:",
          md`This choice was already made. Run the command again to choose anew.`,
        ),
        ctx.logger,
      );
      return;
    }
    if (ctx.responder === undefined) throw new Error("a choice without a response_url");
    const request: RequestMeta = {
      ...taken.request,
      actor: action.actor,
      ...(action.triggerId !== undefined ? { triggerId: action.triggerId } : {}),
      // The command as it now runs (the chosen server in place of what was typed), for the card and audit.
      ...(isMutationIntent(next.intent) && { commandLine: formatCommandLine(next.intent) }),
    };
    ctx.logger.info({ choice }, "pending command continued by the requester");
    if (!isReadIntent(next.intent)) {
      // A read replaces the menu with its result; anything else first says what was chosen, so the menu
      // cannot be mistaken for still open while the command continues.
      await reply(
        ctx.responder,
        buildNoticeView(
          ":white_check_mark:",
          md`Chosen: ${next.chosen}. Continuing ${code(commandLabel(next.intent.type))}…`,
        ),
        ctx.logger,
        { replaceOriginal: true },
      );
    }
    await runIntent(next.intent, request, ctx.responder, ctx.logger, "pick");
  }

  /** The requester's choice in an ambiguity menu continues the command with the chosen server ID. */
  const pickHandler: ActionHandler = (action, ctx) =>
    continuePending(action, ctx, (pending, serverId) => {
      if (!pending.candidateIds.includes(serverId)) return undefined;
      const intent = replaceTarget(pending.intent, pending.target, serverId);
      if (intent === undefined) throw new Error("the pending command does not contain the chosen target");
      return { intent, chosen: [code(serverId)] };
    });

  /** A name offered for a near miss runs the same command again with that exact name. */
  const suggestHandler: ActionHandler = (action, ctx) =>
    continuePending(action, ctx, (pending, index) => {
      const name = /^\d{1,3}$/.test(index) ? pending.candidateNames?.[Number(index)] : undefined;
      if (name === undefined) return undefined;
      const intent = replaceTarget(pending.intent, pending.target, { kind: "name", name });
      if (intent === undefined) throw new Error("the pending command does not contain the offered target");
      return { intent, chosen: [code(name)] };
    });

  /** An action `/ecs show` offered runs as the requester's command on exactly the shown server. */
  const actHandler: ActionHandler = (action, ctx) =>
    continuePending(action, ctx, (pending, verb) => {
      const offered = pending.offeredActions ?? [];
      if (!offered.includes(verb) || pending.target.kind !== "id") return undefined;
      const chosen = SERVER_ACTIONS.find((a) => a === verb);
      if (chosen === undefined) return undefined;
      const label = chosen === "start" ? "Start" : chosen === "stop" ? "Stop" : "Reboot";
      return { intent: serverActionIntent(chosen, pending.target.id), chosen: md`${label}` };
    });

  const resultDeps = {
    cloud: deps.cloud,
    ...(handlers.auditTrail !== undefined && { auditTrail: handlers.auditTrail }),
    tokens,
    botName,
    ...(handlers.readPolicy ? { readPolicy: handlers.readPolicy } : {}),
  };
  actions.register(VIEW_ACTIONS.page, createPageActionHandler(resultDeps));
  actions.register(VIEW_ACTIONS.share, createShareActionHandler(resultDeps));
  actions.register(VIEW_ACTIONS.pick, pickHandler);
  actions.register(VIEW_ACTIONS.suggest, suggestHandler);
  actions.register(VIEW_ACTIONS.act, actHandler);
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
      // `--at` / `--window` apply to every change: taken out here, so no verb's grammar has to know them.
      const taken = takeScheduleFlags(request.text);
      if (!taken.ok) {
        deps.metrics?.command("unparsed", "not_understood");
        await reply(responder, buildParseErrorView({ code: "invalid_flag", message: taken.message }), logger);
        return;
      }
      const meta: RequestMeta = {
        ...(taken.flags !== undefined && { schedule: taken.flags }),
        actor: request.actor,
        channelId: request.channelId,
        ...(request.channelName !== undefined ? { channelName: request.channelName } : {}),
        ...(request.triggerId !== undefined ? { triggerId: request.triggerId } : {}),
        commandLine: `${request.command} ${request.text}`.trim(),
        requestId,
      };
      // A password typed by mistake (refused by the grammar) must not reach the logs either.
      logger.info({ text: redactSecrets(request.text) }, "command received");
      let verb = "unparsed";
      let outcome: CommandOutcome = "failed";
      try {
        // `--break-glass "<reason>"` is read here, for every command that changes servers alike.
        const glass = extractBreakGlass(taken.text);
        if (!glass.ok) {
          outcome = "not_understood";
          await reply(responder, buildNoticeView(":raised_hand:", md`${glass.message}`), logger);
          return;
        }
        const parsed = parseIntent(request.command, glass.text);
        if (!parsed.ok) {
          logger.info({ code: parsed.error.code }, "command not understood");
          outcome = "not_understood";
          await reply(responder, buildParseErrorView(parsed.error), logger);
          return;
        }
        verb = parsed.intent.type;
        if (glass.reason !== undefined) {
          if (!isMutationIntent(parsed.intent)) {
            outcome = "not_understood";
            await reply(
              responder,
              buildNoticeView(
                ":raised_hand:",
                md`\`--break-glass\` only applies to commands that change servers (it skips their approval); ${code(commandLabel(parsed.intent.type))} needs none.`,
              ),
              logger,
            );
            return;
          }
          meta.commandLine = `${request.command} ${glass.text}`.trim();
          meta.breakGlass = { reason: glass.reason };
          logger.info("break-glass requested");
        }
        // `/ops policy explain <change> --window …` explains the decision as of that start time.
        const explainsChange =
          parsed.intent.type === "ops.policy.explain" && isMutationIntent(parsed.intent.intent);
        if (taken.flags !== undefined && !isMutationIntent(parsed.intent) && !explainsChange) {
          outcome = "not_understood";
          const message =
            "`--at` and `--window` schedule a change (`/ecs stop web-01 --window <name>`); this command changes nothing";
          await reply(responder, buildParseErrorView({ code: "invalid_flag", message }), logger);
          return;
        }
        if (parsed.intent.type === "help") {
          await runIntent(parsed.intent, meta, responder, logger, "command");
          outcome = "handled";
          return;
        }
        // Anything that may wait for the cloud or the store says what it is doing within a second.
        const pending = pendingReply(responder, pendingWorkOf(parsed.intent), logger, "new");
        try {
          await runIntent(parsed.intent, meta, pending.responder, logger, "command");
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
