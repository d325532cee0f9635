import { type Actor, ChatDeliveryError, type Responder } from "../app/ports.js";
import type { CloudClient, Server } from "../cloud/types.js";
import type { Logger } from "../log/create-logger.js";
import { decodePaginationValue } from "../render/encode-pagination-value.js";
import type { Message } from "../render/message-model.js";
import { md } from "../render/message-model.js";
import { buildExpiredView, buildNoticeView } from "../views/build-notice-view.js";
import { buildSlackFailureView } from "../views/build-slack-failure-view.js";
import type { InteractionTokens } from "./create-interaction-tokens.js";
import type { ListingCache } from "./read/create-listing-cache.js";
import {
  type AuditTrail,
  type ListSnapshot,
  type ReadDeps,
  SNAPSHOT_READS,
  serverFor,
} from "./read/read-options.js";
import { isShareable, runReadQuery } from "./read/run-read-query.js";
import type { ActionHandler, ReadIntent, ReadPolicy } from "./types.js";

export interface ResultActionDeps {
  cloud: CloudClient;
  /**
   * `/ecs list` and `/hss hosts` listings shared with commands: a page whose snapshot has expired lists
   * through them (without them each such click would list the fleet by itself).
   */
  listings: ListingCache;
  auditTrail?: AuditTrail;
  tokens: InteractionTokens;
  /** The bot's Slack user ID (once known), for the `/invite` hint when sharing is refused. */
  botUserId: () => string | undefined;
  readPolicy?: ReadPolicy;
}

async function say(
  responder: Responder | undefined,
  message: Message,
  logger: Logger,
  options?: { replaceOriginal?: boolean },
): Promise<void> {
  if (responder === undefined) {
    logger.warn("interaction without a response_url: nothing to reply to");
    return;
  }
  try {
    await responder.respond(message, options);
  } catch (error) {
    logger.warn({ err: error }, "could not reply to the requester");
  }
}

/** The stored query of a page/share click, its page, and the server it names (fetched again). */
async function replay(
  value: string | undefined,
  deps: ResultActionDeps,
): Promise<
  { token: string; page: number; intent: ReadIntent; server?: Server; snapshot?: ListSnapshot } | undefined
> {
  const decoded = decodePaginationValue(value ?? "");
  if (!decoded.ok) return undefined;
  const stored = await deps.tokens.loadQuery(decoded.context);
  // A private read never stores a query; one that claims to be is refused like an expired one.
  if (stored === undefined || !isShareable(stored.intent)) return undefined;
  const intent = stored.intent;
  const server =
    "server" in intent && intent.server !== undefined
      ? await serverFor(intent.server, { page: 1 }, { cloud: deps.cloud })
      : undefined;
  const snapshot = SNAPSHOT_READS.has(intent.type)
    ? await deps.tokens.loadSnapshot(decoded.context)
    : undefined;
  return {
    token: decoded.context,
    page: decoded.page,
    intent,
    ...(server ? { server } : {}),
    ...(snapshot ? { snapshot } : {}),
  };
}

async function allowed(
  deps: ResultActionDeps,
  intent: ReadIntent,
  actor: Actor,
  channelId: string | undefined,
  server: Server | undefined,
): Promise<{ ok: true } | { ok: false; message: Message }> {
  if (deps.readPolicy === undefined) return { ok: true };
  const decision = await deps.readPolicy(intent, {
    request: { actor, channelId: channelId ?? "" },
    servers: server ? [server] : [],
  });
  return decision.allowed ? { ok: true } : { ok: false, message: decision.message };
}

function readDepsOf(deps: ResultActionDeps): ReadDeps {
  return {
    cloud: deps.cloud,
    listings: deps.listings,
    ...(deps.auditTrail !== undefined && { auditTrail: deps.auditTrail }),
  };
}

/** Previous/Next: re-runs the stored query for the requested page and replaces the message in place. */
export function createPageActionHandler(deps: ResultActionDeps): ActionHandler {
  return async (action, ctx) => {
    const found = await replay(action.value, deps);
    if (found === undefined) {
      await say(ctx.responder, buildExpiredView(), ctx.logger, { replaceOriginal: true });
      return;
    }
    const gate = await allowed(deps, found.intent, action.actor, action.channelId, found.server);
    if (!gate.ok) {
      await say(ctx.responder, gate.message, ctx.logger);
      return;
    }
    // A list whose snapshot has expired is listed again (shared with commands); the new snapshot is kept for
    // the clicks after this one, which then read only their page again.
    let relisted: ListSnapshot | undefined;
    const message = await runReadQuery(
      found.intent,
      {
        page: found.page,
        controls: { token: found.token },
        ...(found.server ? { server: found.server } : {}),
        ...(found.snapshot
          ? { snapshot: found.snapshot }
          : {
              keepSnapshot: (snapshot: ListSnapshot) => {
                relisted = snapshot;
              },
            }),
      },
      readDepsOf(deps),
    );
    // Kept before the answer, so a click on the answer finds it. Disposable: without it the next click lists again.
    if (relisted !== undefined) {
      await deps.tokens
        .saveSnapshot(found.token, relisted)
        .catch((error: unknown) => ctx.logger.warn({ err: error }, "could not keep a list's new snapshot"));
    }
    await say(ctx.responder, message, ctx.logger, { replaceOriginal: true });
  };
}

/**
 * "Share in channel": re-runs the stored query for the shown page and posts it to the channel as the
 * bot (attributed to the clicker, without buttons), then deletes the clicker's private copy. Where the bot
 * cannot post, the clicker is told why and what to do, and keeps the private copy.
 */
export function createShareActionHandler(deps: ResultActionDeps): ActionHandler {
  return async (action, ctx) => {
    const found = await replay(action.value, deps);
    if (found === undefined) {
      await say(ctx.responder, buildExpiredView(), ctx.logger);
      return;
    }
    if (action.channelId === undefined) {
      await say(
        ctx.responder,
        buildNoticeView(":speech_balloon:", md`There is no channel to share this in.`),
        ctx.logger,
      );
      return;
    }
    const gate = await allowed(deps, found.intent, action.actor, action.channelId, found.server);
    if (!gate.ok) {
      await say(ctx.responder, gate.message, ctx.logger);
      return;
    }
    const message = await runReadQuery(
      found.intent,
      {
        page: found.page,
        sharedBy: action.actor.userId,
        ...(found.server ? { server: found.server } : {}),
        ...(found.snapshot ? { snapshot: found.snapshot } : {}),
      },
      readDepsOf(deps),
    );
    try {
      await ctx.chat.postMessage(action.channelId, message);
    } catch (error) {
      if (!(error instanceof ChatDeliveryError)) throw error;
      ctx.logger.info(
        { code: error.code, method: error.method, channel: action.channelId },
        "could not share in channel",
      );
      await say(
        ctx.responder,
        buildSlackFailureView({
          code: error.code,
          ...(error.method !== undefined && { method: error.method }),
          botUserId: deps.botUserId(),
          // Sharing a read's answer changes no server.
          onlyRead: true,
        }),
        ctx.logger,
      );
      return;
    }
    // The shared copy replaces the private one: the requester is left with one copy, the channel's.
    if (action.isEphemeral && ctx.responder?.deleteOriginal !== undefined) {
      try {
        await ctx.responder.deleteOriginal();
      } catch (error) {
        ctx.logger.warn({ err: error }, "shared, but could not remove the private copy");
      }
    }
  };
}
