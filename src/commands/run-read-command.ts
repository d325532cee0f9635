import type { ChatPort } from "../app/ports.js";
import { readGroupsOnce } from "../app/read-groups-once.js";
import type { Server } from "../cloud/types.js";
import type { Logger } from "../log/create-logger.js";
import type { Message } from "../render/message-model.js";
import type { InteractionTokens } from "./create-interaction-tokens.js";
import type { PendingChoices } from "./create-pending-choices.js";
import type { ListSnapshot, ReadDeps } from "./read/read-options.js";
import { isShareable, runReadQuery } from "./read/run-read-query.js";
import type { CommandHandlers, ReadIntent, RequestMeta } from "./types.js";

export interface ReadCommandDeps {
  chat: ChatPort;
  tokens: InteractionTokens;
  readDeps: ReadDeps;
  offerServerActions: PendingChoices["offerServerActions"];
  /** Who may read what; absent: every read is allowed. */
  readPolicy?: CommandHandlers["readPolicy"];
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
 * A read command on its resolved servers: the read policy, then the query with its buttons, the query they
 * replay saved with them (and a long list's snapshot, so its pages need no listing). Answers the message for
 * the requester: the result, or the read policy's refusal (`allowed: false`).
 */
export async function runReadCommand(
  intent: ReadIntent,
  servers: readonly Server[],
  request: RequestMeta,
  logger: Logger,
  deps: ReadCommandDeps,
): Promise<{ allowed: boolean; message: Message }> {
  const { tokens } = deps;
  const resolved = resolvedReadIntent(intent, servers);
  // The read policy and the offered actions ask about the same person at the same moment: one read.
  const chat = readGroupsOnce(deps.chat);
  if (deps.readPolicy !== undefined) {
    const decision = await deps.readPolicy(resolved, { request, servers, chat });
    if (!decision.allowed) return { allowed: false, message: decision.message };
  }
  // A private read (a console log) gets no buttons and leaves no stored query behind to replay.
  const token = isShareable(resolved) ? tokens.newToken() : undefined;
  let snapshot: ListSnapshot | undefined;
  const offer = await deps.offerServerActions(resolved, servers, request, chat, logger);
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
    deps.readDeps,
  );
  if (token !== undefined) {
    await tokens.saveQuery(token, { owner: request.actor.userId, intent: resolved });
    if (snapshot !== undefined) await tokens.saveSnapshot(token, snapshot);
  }
  return { allowed: true, message };
}
