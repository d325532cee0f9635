import type { ChatPort, Responder } from "../app/ports.js";
import type { Server } from "../cloud/types.js";
import { formatCommandLine, type Intent, type Target } from "../intents/index.js";
import type { Logger } from "../log/create-logger.js";
import { code, md, type Span } from "../render/message-model.js";
import { replaceTarget } from "../targets/replace-target.js";
import type { Resolution, TargetOutcome } from "../targets/types.js";
import { actionsForStatus, SERVER_ACTIONS, type ServerAction } from "../views/action-ids.js";
import {
  buildChoiceMadeView,
  buildExpiredView,
  buildNoticeView,
  buildNotYoursView,
} from "../views/build-notice-view.js";
import type { NameOffer } from "../views/build-resolution-error-view.js";
import { commandLabel } from "./command-label.js";
import type { InteractionTokens, StoredPick } from "./create-interaction-tokens.js";
import type { ReadOptions } from "./read/read-options.js";
import { isReadIntent } from "./read/run-read-query.js";
import { replyToRequester } from "./reply-to-requester.js";
import type {
  ActionHandler,
  ActionRequest,
  CommandHandlers,
  InteractionContext,
  MutationIntent,
  ReadIntent,
  RequestMeta,
} from "./types.js";
import { isMutationIntent } from "./understand-command.js";

export interface PendingChoiceDeps {
  tokens: InteractionTokens;
  handlers: Pick<CommandHandlers, "mutation" | "offerActions">;
  /** Runs the command a choice continues, as its requester's command (its answer replaces the menu). */
  runChosen(intent: Intent, request: RequestMeta, responder: Responder, logger: Logger): Promise<void>;
}

/**
 * Choices offered to the requester of a command, and what their clicks do. Each offer is saved as a pick
 * (the command, who may answer, what may be chosen) behind a token; a click continues the command at most
 * once, only for its requester, and only with one of the offered choices.
 */
export interface PendingChoices {
  /** An ambiguous target: the candidates as a menu; answers with the pick's token. */
  offerCandidates(
    ambiguity: Extract<TargetOutcome<Server>, { kind: "ambiguous" }>,
    intent: Intent,
    request: RequestMeta,
  ): Promise<string>;
  /**
   * For a command that changes servers and named one that does not exist: the exact names the requester may
   * have meant, saved with the command so a button can run it again with one of them.
   */
  offerNames(
    failed: Extract<Resolution<Server>, { ok: false }>["failed"],
    intent: Intent,
    request: RequestMeta,
  ): Promise<NameOffer | undefined>;
  /**
   * `/ecs show`: the power actions that fit the server's state and that the policy does not deny for this
   * requester, saved so a button runs one as the requester's command. Never fails the read: without an
   * answer from the policy nothing is offered.
   */
  offerServerActions(
    intent: ReadIntent,
    servers: readonly Server[],
    request: RequestMeta,
    chat: ChatPort,
    logger: Logger,
  ): Promise<ReadOptions["offer"]>;
  /** The requester's choice in an ambiguity menu continues the command with the chosen server ID. */
  pick: ActionHandler;
  /** A name offered for a near miss runs the same command again with that exact name. */
  suggest: ActionHandler;
  /** An action `/ecs show` offered runs as the requester's command on exactly the shown server. */
  act: ActionHandler;
}

/** The command an offered power action runs: on exactly one server, by ID, soft (`--hard` is for typing). */
function serverActionIntent(action: ServerAction, serverId: string): MutationIntent {
  const targets: Target[] = [{ kind: "id", id: serverId }];
  if (action === "start") return { type: "ecs.start", targets };
  return { type: action === "stop" ? "ecs.stop" : "ecs.reboot", targets, hard: false };
}

export function createPendingChoices(deps: PendingChoiceDeps): PendingChoices {
  const { tokens, handlers } = deps;

  /** Saves a pick for `request`'s requester; answers with its token. */
  async function savePick(
    request: RequestMeta,
    pick: Omit<StoredPick, "owner" | "request">,
  ): Promise<string> {
    const token = tokens.newToken();
    const { triggerId: _trigger, ...stored } = request;
    await tokens.savePick(token, { owner: request.actor.userId, request: stored, ...pick });
    return token;
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
      const usedBy = await tokens.pickUsedBy(token);
      if (usedBy === undefined)
        await replyToRequester(ctx.responder, buildExpiredView(), ctx.logger, { replaceOriginal: true });
      else
        await replyToRequester(
          ctx.responder,
          usedBy === action.actor.userId ? buildChoiceMadeView() : buildNotYoursView(),
          ctx.logger,
        );
      return;
    }
    if (pending.owner !== action.actor.userId) {
      ctx.logger.warn({ owner: pending.owner }, "a pending choice answered by someone else");
      await replyToRequester(ctx.responder, buildNotYoursView(), ctx.logger);
      return;
    }
    if (choose(pending, choice) === undefined) {
      ctx.logger.warn({ choice }, "choice is not one of the offered ones");
      await replyToRequester(ctx.responder, buildExpiredView(), ctx.logger, { replaceOriginal: true });
      return;
    }
    const taken = await tokens.takePick(token);
    const next = taken === undefined ? undefined : choose(taken, choice);
    if (taken === undefined || next === undefined) {
      await replyToRequester(ctx.responder, buildChoiceMadeView(), ctx.logger);
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
      await replyToRequester(
        ctx.responder,
        buildNoticeView(
          ":white_check_mark:",
          md`Chosen: ${next.chosen}. Continuing ${code(commandLabel(next.intent.type))}…`,
        ),
        ctx.logger,
        { replaceOriginal: true },
      );
    }
    await deps.runChosen(next.intent, request, ctx.responder, ctx.logger);
  }

  return {
    offerCandidates: (ambiguity, intent, request) =>
      savePick(request, {
        intent,
        target: ambiguity.target,
        candidateIds: ambiguity.candidates.map((c) => c.id),
      }),

    async offerNames(failed, intent, request) {
      const miss = failed.find(
        (f) => f.kind === "not_found" && f.target.kind === "name" && f.suggestions.length > 0,
      );
      if (miss === undefined || miss.kind !== "not_found") return undefined;
      // A shortened ID: the servers whose ID starts so, each offered by its whole ID and labelled with its
      // name and the start of its ID (as cards print them).
      const byId = miss.idStart !== undefined && miss.idStart.length > 0 ? miss.idStart : undefined;
      const token = await savePick(request, {
        intent,
        target: miss.target,
        ...(byId !== undefined
          ? { candidateIds: byId.map((s) => s.id) }
          : { candidateIds: [], candidateNames: miss.suggestions }),
      });
      const names =
        byId !== undefined ? byId.map((s) => `${s.name} (${s.id.slice(0, 8)}…)`) : miss.suggestions;
      return { target: miss.target, names, token, commandLabel: commandLabel(intent.type) };
    },

    async offerServerActions(intent, servers, request, chat, logger) {
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
      const token = await savePick(request, {
        intent,
        target: { kind: "id", id: server.id },
        candidateIds: [],
        offeredActions: offered,
      });
      return { token, actions: offered };
    },

    pick: (action, ctx) =>
      continuePending(action, ctx, (pending, serverId) => {
        if (!pending.candidateIds.includes(serverId)) return undefined;
        const intent = replaceTarget(pending.intent, pending.target, serverId);
        if (intent === undefined) throw new Error("the pending command does not contain the chosen target");
        return { intent, chosen: [code(serverId)] };
      }),

    suggest: (action, ctx) =>
      continuePending(action, ctx, (pending, index) => {
        const at = /^\d{1,3}$/.test(index) ? Number(index) : undefined;
        const serverId =
          at === undefined || pending.candidateNames !== undefined ? undefined : pending.candidateIds[at];
        if (serverId !== undefined) {
          const intent = replaceTarget(pending.intent, pending.target, serverId);
          if (intent === undefined)
            throw new Error("the pending command does not contain the offered target");
          return { intent, chosen: [code(serverId)] };
        }
        const name = at === undefined ? undefined : pending.candidateNames?.[at];
        if (name === undefined) return undefined;
        const intent = replaceTarget(pending.intent, pending.target, { kind: "name", name });
        if (intent === undefined) throw new Error("the pending command does not contain the offered target");
        return { intent, chosen: [code(name)] };
      }),

    act: (action, ctx) =>
      continuePending(action, ctx, (pending, verb) => {
        const offered = pending.offeredActions ?? [];
        if (!offered.includes(verb) || pending.target.kind !== "id") return undefined;
        const chosen = SERVER_ACTIONS.find((a) => a === verb);
        if (chosen === undefined) return undefined;
        const label = chosen === "start" ? "Start" : chosen === "stop" ? "Stop" : "Reboot";
        return { intent: serverActionIntent(chosen, pending.target.id), chosen: md`${label}` };
      }),
  };
}
